"""The shipped policies give the verdicts they gave before rules became generic over facts.

``golden/`` holds passports written by the version whose policy code read sections directly,
and the verdict each shipped policy gave each of them then (rule by rule). Reading the same
files now must give the same outcomes, so existing policies keep their meaning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelpassport.policy import check_passport, load_policy
from modelpassport.report import read_passport

GOLDEN = Path(__file__).parent / "golden"
POLICIES = Path(__file__).parents[2] / "docs" / "policies"
VERDICTS: dict[str, dict[str, object]] = json.loads((GOLDEN / "verdicts.json").read_text())


@pytest.mark.parametrize("case", sorted(VERDICTS))
def test_shipped_policy_verdicts_are_unchanged(case: str) -> None:
    name, policy = case.split("|")
    verdict = check_passport(
        read_passport(GOLDEN / f"{name}.json"), load_policy(POLICIES / f"{policy}.toml")
    )
    expected = VERDICTS[case]
    assert verdict.passed == expected["passed"]
    assert [[r.rule, r.outcome] for r in verdict.results] == expected["results"]


def test_the_golden_set_holds_both_outcomes() -> None:
    outcomes = {bool(v["passed"]) for v in VERDICTS.values()}
    assert outcomes == {True, False}
