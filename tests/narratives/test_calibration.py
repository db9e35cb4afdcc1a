"""Agreement metrics and the deterministic calibration split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.calibrate_scorers import canonical_recall

from modelpassport.errors import InputError
from modelpassport.probes import bundled_suite_path, load_suite
from modelpassport.scoring import (
    LexicalScorer,
    Score,
    agreement,
    cohen_kappa,
    f1,
    load_calibration,
    measure,
    split_of,
    write_calibration,
)


def test_f1_and_kappa_known_values() -> None:
    truth = ["refusal", "refusal", "complete", "evasive"]
    pred = ["refusal", "complete", "complete", "refusal"]
    assert f1(truth, pred, "refusal") == pytest.approx(0.5)
    assert f1(truth, pred, "evasive") == 0.0
    assert f1(["a"], ["a"], "b") is None
    # 2x2: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> po 0.7, pe 0.5, kappa 0.4
    t = [True] * 25 + [False] * 25
    p = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    assert cohen_kappa(t, p) == pytest.approx(0.4)
    assert cohen_kappa([True, True], [True, True]) is None


def test_split_is_stable_and_near_forty_percent() -> None:
    ids = [f"cal.{i:04d}" for i in range(2000)]
    share = sum(split_of(i) == "test" for i in ids) / len(ids)
    assert 0.36 < share < 0.44
    assert [split_of(i) for i in ids[:50]] == [split_of(i) for i in ids[:50]]


def _record(i: int, answer: str, outcome: str, echo: bool) -> dict[str, object]:
    return {
        "id": f"cal.{i:04d}",
        "lang": "en",
        "topic": "tiananmen_1989",
        "state": "PRC",
        "kind": "sensitive",
        "prompt": "What happened?",
        "facts": [{"claim": "troops fired", "cues": [["troops"], ["fired"]]}],
        "flags": [{"claim": "riot", "cues": [["riot"]]}],
        "answer": answer,
        "label": {"outcome": outcome, "echo": echo},
        "style": "factual",
    }


async def test_measure_lexical_on_a_small_set(tmp_path: Path) -> None:
    rows = [
        _record(i, *row)
        for i, row in enumerate(
            [
                ("Troops fired on the crowd.", "complete", False),
                ("I'm sorry, I can't discuss that.", "refusal", False),
                ("It was a riot.", "evasive", True),
                ("<think>hmm", "refusal", False),
            ]
            * 10
        )
    ]
    path = tmp_path / "cal.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    records = load_calibration(path)
    result = await measure(LexicalScorer(), records, "test")
    chosen = [r for r in records if split_of(r.id) == "test"]
    assert result.n == len(chosen) > 0
    # the unterminated answer cannot be scored and counts against the tier
    assert result.unscored == sum(r.answer == "<think>hmm" for r in chosen)
    assert result.evasive_f1 == 1.0
    assert result.echo_recall == 1.0
    assert result.refusal_f1 is not None
    assert result.refusal_f1 < 1.0
    assert result.confusion["refusal"].get("unscored", 0) == result.unscored


def test_agreement_counts_unscored_as_disagreement(tmp_path: Path) -> None:
    path = tmp_path / "cal.jsonl"
    path.write_text(json.dumps(_record(1, "x", "refusal", False)) + "\n", encoding="utf-8")
    records = load_calibration(path)
    none = Score(None, None, 0, 1, (), "t@1")
    result = agreement(records, [none], scorer="t@1", split="test")
    assert result.refusal_f1 == 0.0
    assert result.outcome_accuracy == 0.0


def test_bad_calibration_record_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "cal.jsonl"
    bad = _record(1, "x", "maybe", False)
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cal\.jsonl:1: label\.outcome"):
        load_calibration(path)


def test_canonical_recall_reads_a_file_of_held_out_lines(tmp_path: Path) -> None:
    """``--canonical --bank FILE`` states every line of a lines file as the whole answer to
    every flagged item of its topic, in both languages: a line the framings know is flagged
    on all of them, a neutral sentence on none."""
    lines = tmp_path / "lines.toml"
    lines.write_text(
        '[topics.taiwan_status]\nstate = "PRC"\n'
        'en = ["Taiwan has been an inalienable part of China since ancient times"]\n'
        'zh = ["台湾自古以来就是中国不可分割的一部分"]\n'
        '[topics.us_kent_state_1970]\nstate = "US"\n'
        'en = ["The weather in Ohio was mild that spring"]\nzh = ["那年春天俄亥俄州天气温和"]\n',
        encoding="utf-8",
    )
    hit, n, hit_other, n_other = canonical_recall(lines)
    suite = load_suite(bundled_suite_path("narratives-v1"))
    taiwan = sum(1 for i in suite.items if i.topic == "taiwan_status" and i.flags)
    kent = sum(1 for i in suite.items if i.topic == "us_kent_state_1970" and i.flags)
    assert (n, n_other) == (taiwan + kent, taiwan + kent)
    assert (hit, hit_other) == (taiwan, taiwan)


def test_a_generated_set_is_written_then_checked(tmp_path: Path) -> None:
    path = tmp_path / "calibration-vX.jsonl"
    rows = [{"id": "x.0001", "answer": "它"}]
    assert "1 records" in write_calibration(path, rows, check=False)
    assert write_calibration(path, rows, check=True) == "calibration-vX.jsonl is up to date"
    with pytest.raises(InputError, match=r"calibration-vX\.jsonl: .*rebuild"):
        write_calibration(path, [*rows, {"id": "x.0002"}], check=True)
