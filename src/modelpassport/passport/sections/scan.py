"""The ``scan`` section: is it safe to load these files?

Findings are listed in a fixed order (severity, file, location, rule) and carry no
timestamps, so two scans of the same files give the same section byte for byte.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from ._base import Section

Severity = Literal["critical", "high", "medium", "low", "info"]
ScanVerdict = Literal["clean", "review", "unsafe"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")


class ScanFinding(BaseModel):
    """One reason for concern, with enough evidence for a reviewer to check it by hand."""

    rule_id: str = Field(description="stable rule identifier, e.g. MP-PKL-002")
    severity: Severity
    file: str = Field(description="path relative to the subject root, '/'-separated")
    location: str = Field(default="", description="where in the file: offset, line, member")
    message: str = Field(description="what was found and why it matters, one sentence")
    evidence: str = Field(default="", description="the exact text or callable found")

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Most severe first, then by file and position, for deterministic output."""
        location = re.sub(r"\d+", lambda m: m.group().zfill(20), self.location)
        return (SEVERITIES.index(self.severity), self.file, location, self.rule_id, self.evidence)


class FileDigest(BaseModel):
    """A file of the subject, as hashed."""

    path: str = Field(description="relative to the subject root, '/'-separated")
    size: int
    sha256: str
    format: str = Field(default="other", description="what the scanner read it as")


class ScanSection(Section):
    """Findings of the scan stage, the files they are about, and a verdict.

    ``unsafe``: a critical or high finding (loading may run code or escape the folder);
    ``review``: medium findings only; ``clean``: nothing above low.
    """

    verdict: ScanVerdict | None = None
    findings: list[ScanFinding] = Field(default_factory=list)
    files: list[FileDigest] = Field(default_factory=list)
    rules_version: str = Field(default="", description="version of the rule and allowlist data")

    def counts(self) -> dict[Severity, int]:
        """Number of findings per severity, every severity present."""
        counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def summary(self) -> str:
        """e.g. ``unsafe: 2 critical, 1 high in 14 files``."""
        if self.status != "ok" or self.verdict is None:
            return super().summary()
        parts = [f"{n} {sev}" for sev, n in self.counts().items() if n and sev != "info"]
        detail = ", ".join(parts) if parts else "no findings above info"
        return f"{self.verdict}: {detail} in {len(self.files)} files"


def verdict_for(findings: list[ScanFinding]) -> ScanVerdict:
    """The verdict the findings call for (see ``ScanSection``)."""
    severities = {f.severity for f in findings}
    if severities & {"critical", "high"}:
        return "unsafe"
    if "medium" in severities:
        return "review"
    return "clean"
