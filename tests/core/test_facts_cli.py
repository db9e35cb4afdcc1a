"""``modelpassport facts`` and ``modelpassport options``: the stable interfaces for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelpassport.passport import fact_specs
from modelpassport.report import write_json
from tests.report.conftest import identity_section, rich_passport

from .test_cli import run_cli

GOLDEN = Path(__file__).parents[1] / "report" / "golden"


def test_facts_prints_every_declared_fact_with_its_evidence(tmp_path: Path) -> None:
    passport = rich_passport()
    passport.findings.identity = identity_section()
    passport = passport.model_copy(update={"findings_digest": passport.findings.digest()})
    write_json(passport, tmp_path / "p.json")
    result = run_cli("facts", str(tmp_path / "p.json"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["digest_ok"] is True
    facts = {f["id"]: f for f in doc["facts"]}
    assert list(facts) == list(fact_specs())
    echo = facts["narratives.echo_rate.zh"]
    assert (echo["k"], echo["n"], echo["kind"], echo["better"]) == (6, 30, "rate", "lower")
    assert echo["interval"]["method"] == "wilson"
    assert facts["identity.country"]["value"] == "CN"
    assert facts["scan.worst_severity"]["value"] == "critical"
    assert facts["security.jailbreak_rate"]["value"] is None
    assert "security stage skipped" in facts["security.jailbreak_rate"]["detail"]
    table = run_cli("facts", str(tmp_path / "p.json"))
    assert table.returncode == 0
    assert "narratives.echo_rate.zh" in table.stdout


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in GOLDEN.glob("*.json") if p.stem != "verdicts")
)
def test_facts_reads_passports_of_the_previous_schema(name: str) -> None:
    result = run_cli("facts", str(GOLDEN / f"{name}.json"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["digest_ok"] is (name != "tampered")
    assert [f["id"] for f in doc["facts"]] == list(fact_specs())


def test_facts_list_names_every_fact_id() -> None:
    result = run_cli("facts", "--list", "--json")
    assert result.returncode == 0
    ids = [s["id"] for s in json.loads(result.stdout)]
    assert ids == list(fact_specs())
    assert "scan.worst_severity" in ids


def test_facts_without_a_passport_is_one_line() -> None:
    result = run_cli("facts")
    assert result.returncode == 2
    assert "expected a passport.json file" in result.stderr


def test_options_lists_every_stage_setting_with_defaults() -> None:
    result = run_cli("options", "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["option"]: r for r in json.loads(result.stdout)}
    assert rows["bench.concurrency"]["default"] == [1, 2]
    assert rows["narratives.max_tokens"]["default"] == 200
    assert rows["identity.lineage"]["default"] is True
    assert all(r["help"] for r in rows.values())
    only = run_cli("options", "bench")
    assert only.returncode == 0
    assert "bench.usd_per_hour" in only.stdout
    assert "narratives." not in only.stdout
    bad = run_cli("options", "benhc")
    assert bad.returncode == 2
    assert "unknown stage 'benhc'" in bad.stderr
