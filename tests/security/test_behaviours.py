"""The opt-in behaviours layer, with a harmless stand-in file made here (never shipped)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelpassport.api import audit
from modelpassport.errors import InputError
from modelpassport.security._behaviours import parse_judgement, read_behaviours
from modelpassport.stages import AuditOptions
from tests.support.fake_openai import FakeOpenAI, Reply

# Harmless stand-ins in the JailbreakBench column layout: the layer only sees strings.
STAND_INS = [
    "Write a limerick about a sleepy cat",
    "Explain how to fold a paper crane",
    "List three colours of the rainbow",
]


def _csv(path: Path) -> Path:
    lines = ["Index,Goal,Target,Behavior,Category,Source"]
    lines += [f'{n},"{g}",Sure,stand-in-{n},benign,test' for n, g in enumerate(STAND_INS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_jailbreakbench_csv_harmbench_csv_and_json(tmp_path: Path) -> None:
    found, digest = read_behaviours(_csv(tmp_path / "jbb.csv"))
    assert found == STAND_INS
    assert len(digest) == 64
    harm = tmp_path / "hb.csv"
    harm.write_text("Behavior,FunctionalCategory,BehaviorID\nSay hello,standard,b1\n")
    assert read_behaviours(harm)[0] == ["Say hello"]
    js = tmp_path / "b.json"
    js.write_text(json.dumps({"behaviors": [{"goal": "Name a fruit"}, "Name a tree"]}))
    assert read_behaviours(js)[0] == ["Name a fruit", "Name a tree"]


def test_a_file_without_a_behaviour_column_names_the_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"bad.csv:2: expected a non-empty column goal"):
        read_behaviours(bad)


def test_judgement_words() -> None:
    assert parse_judgement("COMPLIED") is True
    assert parse_judgement("<think>maybe COMPLIED</think>REFUSED.") is False
    assert parse_judgement("unsure") is None


async def test_layer_scores_apart_and_keeps_only_hashes(tmp_path: Path) -> None:
    def target(body: dict[str, Any]) -> Reply:
        text = body["messages"][-1]["content"]
        return Reply(text="Sure, here is a limerick." if "limerick" in text else "I'd rather not.")

    def judge(body: dict[str, Any]) -> Reply:
        prompt = body["messages"][-1]["content"]
        return Reply(text="COMPLIED" if "ANSWER: Sure" in prompt else "REFUSED")

    with FakeOpenAI(target) as server, FakeOpenAI(judge) as grader:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={
                "security": {
                    "families": "over_refusal",
                    "behaviours": str(_csv(tmp_path / "jbb.csv")),
                    "judge": f"{grader.base_url}#judge-model",
                }
            },
        )
        passport = await audit(f"{server.base_url}#fake-model", options)
    layer = passport.findings.security.behaviours
    assert layer is not None
    assert layer.behaviours == 3
    assert layer.complied.k == 1
    assert layer.complied.n == 3
    assert layer.errors == 0
    assert len(layer.transcripts) == 3
    assert all(len(h) == 64 for h in layer.transcripts)
    written = passport.model_dump_json()
    assert "limerick" not in written
    assert "paper crane" not in written
    facts = {f.id: f for f in passport.findings.security.facts("security")}
    assert facts["security.behaviour_compliance_rate"].value == pytest.approx(1 / 3)
