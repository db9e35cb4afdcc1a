"""Guards on the bundled narrative suite and calibration set, read as plain JSON.

The loader and scorers validate the format; these tests guard the *content* promises the
data makes: the counts, the balance that makes comparisons fair (every PRC topic asked in
every variant in both languages, every control tied to a sensitive template), twins, and
non-empty cues.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from bench import build_calibration_v2, build_calibration_v3, build_calibration_v4
from modelpassport.scoring import split_of

SRC = Path(__file__).resolve().parents[2] / "src" / "modelpassport"
SUITE = SRC / "probes" / "suites" / "narratives-v1.jsonl"
CALIBRATION = SRC / "scoring" / "data" / "calibration-v1.jsonl"
CALIBRATION_V2 = SRC / "scoring" / "data" / "calibration-v2.jsonl"
CALIBRATION_V3 = SRC / "scoring" / "data" / "calibration-v3.jsonl"
CALIBRATION_V4 = SRC / "scoring" / "data" / "calibration-v4.jsonl"
VARIANTS = {"direct", "indirect", "individual", "task"}
LANGS = {"en", "zh"}
STYLES = {"factual", "echoing", "refusing", "evasive", "mixed", "reasoning"}


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return _read(SUITE)


def _claims_ok(record: dict[str, Any]) -> None:
    for claim in [*record["facts"], *record["flags"]]:
        assert claim["claim"].strip(), record["id"]
        assert claim["cues"], record["id"]
        for group in claim["cues"]:
            assert group, record["id"]
            assert all(isinstance(c, str) and c.strip() for c in group), record["id"]


def test_suite_counts(items: list[dict[str, Any]]) -> None:
    kinds = Counter(i["kind"] for i in items)
    assert kinds["sensitive"] >= 400
    assert kinds["control"] + kinds["reverse"] + kinds["neutral"] >= 150
    for kind in ("control", "reverse", "neutral"):
        assert kinds[kind] > 0, kind
    assert set(kinds) <= {"sensitive", "control", "reverse", "neutral"}


def test_ids_unique_and_fields_consistent(items: list[dict[str, Any]]) -> None:
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    for i in items:
        assert i["suite"] == "narratives", i["id"]
        assert i["suite_version"] == "1.0.0", i["id"]
        assert i["id"] == f"{i['twin_id']}.{i['lang']}", i["id"]
        assert i["variant"] in VARIANTS, i["id"]
        assert i["lang"] in LANGS, i["id"]
        assert i["prompt"].strip(), i["id"]
        assert i["facts"], f"{i['id']} has no facts"
        if i["kind"] != "neutral":
            assert i["flags"], f"{i['id']} has no flags"
        assert (i["state"] == "PRC") == (i["kind"] == "sensitive"), i["id"]


def test_every_prc_topic_in_every_variant_and_language(items: list[dict[str, Any]]) -> None:
    cells: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for i in items:
        if i["kind"] == "sensitive":
            cells[i["topic"]].add((i["variant"], i["lang"]))
    assert len(cells) >= 12
    full = {(v, lang) for v in VARIANTS for lang in LANGS}
    for topic, seen in cells.items():
        assert seen == full, f"{topic} misses {sorted(full - seen)}"


def test_twins_are_one_item_in_two_languages(items: list[dict[str, Any]]) -> None:
    twins: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in items:
        twins[i["twin_id"]].append(i)
    for twin_id, pair in twins.items():
        assert sorted(i["lang"] for i in pair) == ["en", "zh"], twin_id
        en, zh = sorted(pair, key=lambda i: i["lang"])
        for field in ("topic", "state", "kind", "variant", "pair_id"):
            assert en[field] == zh[field], (twin_id, field)
        assert len(en["facts"]) == len(zh["facts"]), twin_id
        assert len(en["flags"]) == len(zh["flags"]), twin_id
        assert _cjk(zh["prompt"]), twin_id


def test_controls_share_templates_with_sensitive_items(items: list[dict[str, Any]]) -> None:
    sensitive_pairs = {i["pair_id"] for i in items if i["kind"] == "sensitive"}
    others = [i for i in items if i["kind"] != "sensitive"]
    orphans = {i["id"] for i in others if i["pair_id"] not in sensitive_pairs}
    assert not orphans
    states = {i["state"] for i in items if i["kind"] == "control"}
    assert {"US", "RU"} <= states
    assert len(states) >= 3


def test_cues_non_empty_and_chinese_cues_in_chinese_items(items: list[dict[str, Any]]) -> None:
    for i in items:
        _claims_ok(i)
        if i["lang"] == "zh":
            for claim in i["facts"]:
                cues = [cue for group in claim["cues"] for cue in group]
                assert any(_cjk(cue) or cue.isdigit() for cue in cues), (i["id"], claim["claim"])


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return _read(CALIBRATION)


def test_calibration_counts_and_balance(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 300
    styles = Counter(r["style"] for r in records)
    assert set(styles) == STYLES
    assert min(styles.values()) >= 30, styles
    zh_share = sum(r["lang"] == "zh" for r in records) / len(records)
    assert 0.4 <= zh_share <= 0.6
    outcomes = Counter(r["label"]["outcome"] for r in records)
    assert set(outcomes) == {"complete", "evasive", "refusal"}
    assert min(outcomes.values()) >= 30, outcomes
    echoes = Counter(r["label"]["echo"] for r in records)
    assert min(echoes[True], echoes[False]) >= 30, echoes
    kinds = {r["kind"] for r in records}
    assert {"sensitive", "control"} <= kinds


def test_calibration_ids_are_a_stable_sequence(records: list[dict[str, Any]]) -> None:
    assert [r["id"] for r in records] == [f"cal.{n:04d}" for n in range(1, len(records) + 1)]


def test_calibration_records_copy_their_suite_item(
    records: list[dict[str, Any]], items: list[dict[str, Any]]
) -> None:
    by_prompt = {(i["lang"], i["prompt"]): i for i in items}
    for r in records:
        item = by_prompt.get((r["lang"], r["prompt"]))
        assert item is not None, f"{r['id']}: prompt not in the suite"
        for field in ("topic", "state", "kind", "facts", "flags"):
            assert r[field] == item[field], (r["id"], field)
        _claims_ok(r)


def test_think_blocks_only_in_reasoning_answers(records: list[dict[str, Any]]) -> None:
    for r in records:
        answer = r["answer"]
        assert answer.strip(), r["id"]
        if r["style"] == "reasoning":
            assert answer.startswith("<think>"), r["id"]
            assert "</think>" in answer, r["id"]
            assert answer.split("</think>", 1)[1].strip(), r["id"]
        else:
            assert "<think>" not in answer, r["id"]


def test_calibration_v2_is_what_its_phrase_bank_builds(items: list[dict[str, Any]]) -> None:
    """Set v2 is generated: the file must match the bank, cover every probed state, and keep
    the phrase halves of its splits apart."""
    records = _read(CALIBRATION_V2)
    built = build_calibration_v2.build()
    assert records == json.loads(json.dumps(built, ensure_ascii=False))
    assert [r["id"] for r in records] == [f"cal2.{n:04d}" for n in range(1, len(records) + 1)]
    assert {r["state"] for r in records} >= {"PRC", "US", "RU", "IN", "SA", "UK", "JP"}
    by_prompt = {(i["lang"], i["prompt"]): i for i in items}
    for r in records:
        assert (r["lang"], r["prompt"]) in by_prompt, r["id"]
    bank = tomllib.loads(build_calibration_v2.BANK.read_text(encoding="utf-8"))
    for lang in ("en", "zh"):
        refusals = bank[lang]["refusal"]
        for r in records:
            if r["style"] == "refusal" and r["lang"] == lang:
                half = refusals[0::2] if split_of(r["id"]) == "dev" else refusals[1::2]
                assert r["answer"] in half, r["id"]


def test_calibration_v3_is_its_answers_and_labels(items: list[dict[str, Any]]) -> None:
    """Set v3 joins model-written answers with hand labels: every answer is the one its plan
    entry (item, model, system prompt, seed) asked for, every label names its answer's hash,
    and the bundled file is exactly that join."""
    records = _read(CALIBRATION_V3)
    assert records == json.loads(json.dumps(build_calibration_v3.build(), ensure_ascii=False))
    answers = _read(build_calibration_v3.ANSWERS)
    plan = build_calibration_v3.plan()
    assert [a["id"] for a in answers] == [e["id"] for e in plan]
    for answer, entry in zip(answers, plan, strict=True):
        assert {k: answer[k] for k in entry} == entry, entry["id"]
    labels = _read(build_calibration_v3.LABELS)
    assert [row["id"] for row in labels] == [r["id"] for r in records]
    by_id = {i["id"]: i for i in items}
    for r, answer in zip(records, answers, strict=True):
        item = by_id[answer["item"]]
        assert (r["lang"], r["prompt"], r["flags"]) == (item["lang"], item["prompt"], item["flags"])
        assert r["model"] in build_calibration_v3.MODELS
        assert r["style"] in build_calibration_v3.VARIANTS
    assert {r["label"]["outcome"] for r in records} <= {"complete", "evasive", "refusal"}


def test_calibration_v4_is_its_authors_file(items: list[dict[str, Any]]) -> None:
    """Set v4 is the independent author's file joined with the suite: every answer names a
    suite item, carries a label and the reason for it, and the set covers every probed
    state in both languages."""
    records = _read(CALIBRATION_V4)
    assert records == json.loads(json.dumps(build_calibration_v4.build(), ensure_ascii=False))
    assert [r["id"] for r in records] == [f"cal4.{n:04d}" for n in range(1, len(records) + 1)]
    rows = _read(build_calibration_v4.ANSWERS)
    by_id = {i["id"]: i for i in items}
    for row in rows:
        assert row["item"] in by_id, row["id"]
        assert row["label"] in {"complete", "evasive", "refusal"}, row["id"]
        assert isinstance(row["echo"], bool), row["id"]
        assert row["why"].strip(), row["id"]
        assert row["answer"].strip(), row["id"]
    assert {r["state"] for r in records} >= {"PRC", "US", "RU", "IN", "SA", "UK", "JP"}
    assert {r["lang"] for r in records} == LANGS
