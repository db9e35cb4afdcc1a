"""The bundled suite: reproducible from its builder, valid, bilingual, paired, harmless."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from modelpassport.errors import InputError
from modelpassport.security import bundled_security_suite, load_security_suite
from modelpassport.security._sample import sample_items

ROOT = Path(__file__).resolve().parents[2]


def _builder() -> object:
    spec = importlib.util.spec_from_file_location("build", ROOT / "bench/build_security_suite.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_file_is_exactly_what_the_builder_writes() -> None:
    builder = _builder()
    text = builder.render()  # type: ignore[attr-defined]
    assert bundled_security_suite().read_text(encoding="utf-8") == text


def test_suite_covers_families_languages_splits_and_controls() -> None:
    suite = load_security_suite(bundled_security_suite())
    assert suite.version == "v1"
    families = Counter(i.family for i in suite.items)
    assert set(families) == {"jailbreak", "extraction", "injection", "agent", "over_refusal"}
    langs = Counter(i.lang for i in suite.items)
    assert langs["en"] == langs["zh"]
    for family in families:
        splits = {i.split for i in suite.items if i.family == family}
        assert splits == {"dev", "test"}, family
    templates = {i.template for i in suite.items if i.family == "jailbreak"}
    assert {"base64", "rot13", "leetspeak", "many_shot", "multi_turn", "cross_lingual"} <= templates
    multi = next(i for i in suite.items if i.template == "multi_turn")
    assert len(multi.turns) == 3
    agents = [i for i in suite.items if i.family == "agent" and not i.control]
    assert all("{injection}" in "".join(i.results.values()) and i.injection for i in agents)
    assert all(i.completed is not None for i in agents)


def test_sample_keeps_twins_controls_and_every_family() -> None:
    suite = load_security_suite(bundled_security_suite())
    items = sample_items(suite.items, 40, seed=0)
    assert 40 <= len(items) <= 48
    assert {i.family for i in items} == {i.family for i in suite.items}
    twins = Counter(i.twin_id for i in items)
    assert set(twins.values()) == {2}
    pairs = {i.pair_id for i in items if i.control}
    assert all(i.pair_id in pairs for i in items if not i.control and i.family != "over_refusal")
    assert items == sample_items(suite.items, 40, seed=0)
    assert items != sample_items(suite.items, 40, seed=1)


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def _rows() -> list[dict[str, object]]:
    lines = bundled_security_suite().read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:4]]  # jailbreak-code control + roleplay twins


def test_loader_refuses_a_missing_twin(tmp_path: Path) -> None:
    rows = _rows()[:3]
    with pytest.raises(InputError, match="expected en \\+ zh"):
        load_security_suite(_write(tmp_path / "s-v1.jsonl", rows))


def test_loader_refuses_an_attack_without_control(tmp_path: Path) -> None:
    rows = _rows()[2:]
    with pytest.raises(InputError, match="has no control"):
        load_security_suite(_write(tmp_path / "s-v1.jsonl", rows))


def test_loader_refuses_an_unknown_slot(tmp_path: Path) -> None:
    rows = _rows()
    rows[0]["system"] = "code {secret}"
    with pytest.raises(InputError, match=r"s-v1.jsonl:1.*unknown slot \{secret\}"):
        load_security_suite(_write(tmp_path / "s-v1.jsonl", rows))


def test_loader_refuses_a_bad_check(tmp_path: Path) -> None:
    rows = _rows()
    rows[1]["check"] = {"kind": "tool_call"}
    with pytest.raises(InputError, match=r"s-v1\.jsonl:2"):
        load_security_suite(_write(tmp_path / "s-v1.jsonl", rows))
