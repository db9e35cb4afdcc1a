"""SARIF 2.1.0 for code-scanning dashboards: one run with every section's issues and their rules.

Paths are relative to the model folder (``uriBaseId`` MODELROOT); each result carries a
partial fingerprint built from rule, file, location and evidence, so dashboards track a
finding across audits instead of reopening it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from modelpassport._files import write_atomic
from modelpassport._version import __version__
from modelpassport.passport import FindingSeverity, Issue, Passport

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL: dict[FindingSeverity, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
# GitHub code scanning reads this property to rank security alerts (0.0-10.0).
_SECURITY_SEVERITY: dict[FindingSeverity, str] = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "0.0",
}
_LINE = re.compile(r"^line (\d+)$")
_OFFSET = re.compile(r"^offset (\d+)$")


def _root_uri(passport: Passport) -> str | None:
    files = [Path(f) for f in passport.subject.files]
    if not files:
        return None
    if len(files) == 1 and files[0].suffix.lower() == ".gguf":
        root = files[0].parent
    else:
        root = Path(*_common_parts([f.parent.parts for f in files]))
    return root.absolute().as_uri().rstrip("/") + "/" if root.is_absolute() else None


def _common_parts(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    common = parts[0]
    for other in parts[1:]:
        n = 0
        while n < min(len(common), len(other)) and common[n] == other[n]:
            n += 1
        common = common[:n]
    return common or ("/",)


def _rule(issue: Issue, stage: str) -> dict[str, Any]:
    return {
        "id": issue.rule_id,
        "name": issue.name,
        "shortDescription": {"text": issue.name.replace("-", " ")},
        "fullDescription": {"text": issue.help or issue.message},
        "help": {"text": issue.help or issue.message},
        "defaultConfiguration": {"level": _LEVEL[issue.severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[issue.severity],
            "tags": ["security", "model-supply-chain", stage],
        },
    }


def _result(finding: Issue, rule_index: int, stage: str) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": finding.file or ".", "uriBaseId": "MODELROOT"}
    }
    if (line := _LINE.match(finding.location)) is not None:
        physical["region"] = {"startLine": int(line.group(1))}
    elif (offset := _OFFSET.match(finding.location)) is not None:
        physical["region"] = {"byteOffset": int(offset.group(1))}
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.location and "region" not in physical:
        location["logicalLocations"] = [{"name": finding.location, "kind": "member"}]
    key = "\x1f".join((finding.rule_id, finding.file, finding.location, finding.evidence))
    text = finding.message + (f": {finding.evidence}" if finding.evidence else "")
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {
            "modelpassportFinding/v1": hashlib.sha256(key.encode("utf-8")).hexdigest()
        },
        "properties": {"severity": finding.severity, "stage": stage},
    }


def build_sarif(passport: Passport) -> dict[str, Any]:
    """The SARIF log of every section's issues (an empty run when none raised any).

    Why: security teams already watch SARIF dashboards; findings there need no new tool.
    """
    scan = passport.findings.scan
    issues = passport.findings.issues()
    first: dict[str, tuple[str, Issue]] = {}
    for stage, issue in issues:
        first.setdefault(issue.rule_id, (stage, issue))
    rule_ids = sorted(first)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "modelpassport",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/modelpassport/modelpassport",
                "rules": [_rule(first[r][1], first[r][0]) for r in rule_ids],
                "properties": {"rulesVersion": scan.rules_version},
            }
        },
        "results": [_result(issue, index[issue.rule_id], stage) for stage, issue in issues],
        "artifacts": [
            {
                "location": {"uri": f.path, "uriBaseId": "MODELROOT"},
                "length": f.size,
                "hashes": {"sha-256": f.sha256},
            }
            for f in scan.files
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "subject": passport.subject.ref,
            "verdict": scan.verdict,
            "status": scan.status,
            "reason": scan.reason,
        },
    }
    root = _root_uri(passport)
    if root is not None:
        run["originalUriBaseIds"] = {"MODELROOT": {"uri": root}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write_sarif(passport: Passport, path: Path) -> None:
    """Write ``passport.sarif`` (UTF-8 JSON, keys sorted, atomic replace)."""
    text = json.dumps(build_sarif(passport), indent=2, sort_keys=True, ensure_ascii=False)
    write_atomic(path, text + "\n")
