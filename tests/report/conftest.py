"""Passports for report, compare and policy tests, built from the pydantic models."""

from __future__ import annotations

from typing import Any

from modelpassport.passport import Findings, Passport, RunInfo, SubjectInfo


def make_passport(ref: str = "scripted:model.json", **sections: Any) -> Passport:
    """A passport with the given sections (others skipped) and a correct findings digest."""
    findings = Findings(**sections)
    return Passport(
        subject=SubjectInfo(ref=ref, kind="scripted", target=f"scripted|{ref}"),
        findings=findings,
        findings_digest=findings.digest(),
        run=RunInfo(
            started_at="2026-01-01T00:00:00+00:00",
            finished_at="2026-01-01T00:01:00+00:00",
            host="test",
            platform="linux",
            python="3.11",
            modelpassport="0.1.0",
            config_hash="0" * 64,
        ),
    )
