"""Loading probe suites: valid files load, every kind of bad input is one clear line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelpassport.errors import InputError
from modelpassport.probes import Suite, load_suite, strata_of, stratified_sample

from .personas import fixture_items, write_suite


def test_fixture_suite_loads(suite: Suite) -> None:
    assert (suite.name, suite.version) == ("narratives-test", "0.1.0")
    assert len(suite.items) == 32
    first = suite.items[0]
    assert first.facts[0].cues[0] == ("troops", "army")


def _broken(tmp_path: Path, change: dict[str, Any], line: int = 2) -> Path:
    rows = fixture_items()
    rows[line - 1] = {**rows[line - 1], **change}
    return write_suite(tmp_path / "bad.jsonl", rows)


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        ({"kind": "hostile"}, ":2: kind", "expected input should be"),
        ({"lang": "fr"}, ":2: lang", "expected input should be"),
        ({"topic": "Tiananmen 1989"}, ":2: topic", "expected string should match"),
        ({"facts": [{"claim": "x", "cues": [[]]}]}, ":2: facts.0.cues", "non-blank cue"),
        ({"id": "tiananmen_1989.direct.en"}, ":2: id", "unique id"),
        ({"suite_version": "0.2.0"}, ":2: suite", "expected narratives-test 0.1.0"),
        ({"extra": 1}, ":2: extra", "extra inputs are not permitted"),
    ],
)
def test_bad_items_name_line_and_field(
    tmp_path: Path, change: dict[str, Any], where: str, expected: str
) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(InputError) as info:
        load_suite(path)
    message = str(info.value)
    assert f"{path}{where}" in message
    assert expected in message.lower()


def test_twins_must_share_attributes(tmp_path: Path) -> None:
    path = _broken(tmp_path, {"variant": "task"})
    with pytest.raises(InputError, match=r"twin_id tiananmen_1989\.direct: expected one item"):
        load_suite(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"id": ', "bad.jsonl:1: expected one JSON object per line"),
        (b"[1, 2]\n", "bad.jsonl:1: expected a JSON object"),
        (b"\xff\xfe{}\n", "bad.jsonl:1: expected UTF-8 text"),
        (b"\n\n", "expected at least one record"),
        (b"x" * 300_000, "bad.jsonl:1: expected a line under"),
    ],
)
def test_malformed_files_fail_cleanly(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        load_suite(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load_suite(tmp_path / "nope.jsonl")


def test_bundled_suite_is_valid() -> None:
    from modelpassport.probes import bundled_suite_path

    suite = load_suite(bundled_suite_path("narratives-v1"))
    assert suite.name == "narratives"
    assert {i.lang for i in suite.items} == {"en", "zh"}


def test_sample_is_deterministic_and_keeps_twins(suite: Suite) -> None:
    a = stratified_sample(suite.items, 10, seed=1)
    b = stratified_sample(suite.items, 10, seed=1)
    c = stratified_sample(suite.items, 10, seed=2)
    assert [i.id for i in a.items] == [i.id for i in b.items]
    assert [i.id for i in a.items] != [i.id for i in c.items]
    twins = [i.twin_id for i in a.items]
    assert all(twins.count(t) == 2 for t in twins)
    assert 10 <= len(a.items) <= 14
    assert strata_of(a.items) == strata_of(suite.items)


def test_small_sample_reports_partial_coverage(suite: Suite) -> None:
    small = stratified_sample(suite.items, 2, seed=0)
    assert len(small.items) in (2, 4)  # one group, or a sensitive group and its control
    assert small.strata_covered == len(small.items)
    assert small.strata_total == 8
    whole = stratified_sample(suite.items, None, seed=0)
    assert whole.items == suite.items


def test_sample_allocates_evenly_across_strata(suite: Suite) -> None:
    sample = stratified_sample(suite.items, 16, seed=3)
    per_topic = {t: sum(i.topic == t for i in sample.items) for t in {i.topic for i in suite.items}}
    assert set(per_topic.values()) == {4}


def test_item_json_round_trip(suite: Suite) -> None:
    item = suite.items[5]
    again = type(item).model_validate(json.loads(item.model_dump_json()))
    assert again == item


def test_sampled_sensitive_items_bring_matched_controls(suite: Suite) -> None:
    sample = stratified_sample(suite.items, 8, seed=5)
    sensitive = {i.pair_id for i in sample.items if i.kind == "sensitive"}
    controls = {i.pair_id for i in sample.items if i.kind == "control"}
    assert sensitive
    assert sensitive <= controls
