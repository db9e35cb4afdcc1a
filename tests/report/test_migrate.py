"""Reading passports of other schema versions: migrate forward or refuse in one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from modelpassport.errors import InputError
from modelpassport.passport import SCHEMA_VERSION, migrate
from modelpassport.report import read_passport, write_json

from .conftest import make_passport


def _written(tmp_path: Path, **changes: Any) -> Path:
    data = make_passport().model_dump(mode="json")
    data.update(changes)
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(data))
    return path


def test_current_version_reads_unchanged(tmp_path: Path) -> None:
    passport = make_passport()
    write_json(passport, tmp_path / "p.json")
    again = read_passport(tmp_path / "p.json")
    assert again.model_dump() == passport.model_dump()
    assert again.digest_ok()


def test_newer_version_is_refused_with_upgrade_hint(tmp_path: Path) -> None:
    path = _written(tmp_path, schema_version="9.0.0")
    with pytest.raises(InputError, match=r"newer than this modelpassport understands.*upgrade"):
        read_passport(path)


def test_older_version_without_migration_is_refused(tmp_path: Path) -> None:
    path = _written(tmp_path, schema_version="0.0.1")
    with pytest.raises(InputError, match=r"0\.0\.1 is not supported and has no migration"):
        read_passport(path)


@pytest.mark.parametrize("version", [None, 3, "latest", "1.0"])
def test_malformed_version_is_refused(tmp_path: Path, version: object) -> None:
    path = _written(tmp_path, schema_version=version)
    with pytest.raises(InputError, match="field schema_version"):
        read_passport(path)


def test_not_an_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="expected a JSON object"):
        read_passport(tmp_path / "p.json")


def test_chain_of_steps_reaches_current_version() -> None:
    """The hook a future schema bump fills: each step renames what changed in its version."""
    old = make_passport().model_dump(mode="json")
    old["schema_version"] = "0.0.1"
    old["target"] = old.pop("subject")

    def step1(data: dict[str, Any]) -> dict[str, Any]:
        data["subject"] = data.pop("target")
        return data

    def step2(data: dict[str, Any]) -> dict[str, Any]:
        data["note"] = "seen"
        return data

    chain = {"0.0.1": ("0.0.2", step1), "0.0.2": (SCHEMA_VERSION, step2)}
    out = migrate(old, "old.json", migrations=chain)
    assert out["schema_version"] == SCHEMA_VERSION
    assert out["subject"]["ref"] == "scripted:model.json"
    assert out["note"] == "seen"


def test_cyclic_chain_is_refused() -> None:
    chain = {"0.0.1": ("0.0.2", dict), "0.0.2": ("0.0.1", dict)}
    with pytest.raises(InputError, match="no migration"):
        migrate({"schema_version": "0.0.1"}, "x.json", migrations=chain)


def test_a_0_2_0_passport_with_the_dropped_cost_field_reads_and_verifies(tmp_path: Path) -> None:
    """0.2.0 wrote bench.costs[].usd_per_quality_point (always null); 0.3.0 dropped it. Such
    a file reads, and its digest still verifies against the findings as written."""
    data = make_passport().model_dump(mode="json")
    costs = data["findings"]["bench"]["costs"] = [
        {
            "kind": "api",
            "name": "example-api",
            "usd_per_mtok_input": 0.15,
            "usd_per_mtok_output": 0.6,
            "usd_per_task": 0.0002,
            "usd_per_quality_point": None,
            "basis": "list price",
            "source": "example",
            "as_of": "2026-01-01",
        }
    ]
    findings = json.dumps(
        data["findings"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    data["findings_digest"] = hashlib.sha256(findings.encode("utf-8")).hexdigest()
    data["schema_version"] = "0.2.0"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    passport = read_passport(path)
    assert passport.schema_version == SCHEMA_VERSION
    assert passport.digest_ok()
    assert passport.findings.bench.costs[0].usd_per_task == costs[0]["usd_per_task"]
    assert "usd_per_quality_point" not in passport.findings.bench.costs[0].model_dump()
