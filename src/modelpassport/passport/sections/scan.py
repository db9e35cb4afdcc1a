"""The ``scan`` section: is it safe to load these files?

Findings are listed in a fixed order (severity, file, location, rule) and carry no
timestamps, so two scans of the same files give the same section byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec
from .._issues import FINDING_SEVERITIES, FindingSeverity, Issue
from ._base import Section

ScanVerdict = Literal["clean", "review", "unsafe"]

_VERDICT = FactSpec(
    "scan.verdict",
    "Load safety",
    "category",
    "lower",
    description="clean, review (medium findings) or unsafe (a critical or high finding)",
    order=("clean", "review", "unsafe"),
    card=True,
)
_WORST = FactSpec(
    "scan.worst_severity",
    "Worst scan finding",
    "category",
    "lower",
    description="the most severe finding; none when there is none",
    order=("none", "info", "low", "medium", "high", "critical"),
)


class ScanFinding(BaseModel):
    """One reason for concern, with enough evidence for a reviewer to check it by hand."""

    rule_id: str = Field(description="stable rule identifier, e.g. MP-PKL-002")
    severity: FindingSeverity
    file: str = Field(description="path relative to the subject root, '/'-separated")
    location: str = Field(default="", description="where in the file: offset, line, member")
    message: str = Field(description="what was found and why it matters, one sentence")
    evidence: str = Field(default="", description="the exact text or callable found")

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Most severe first, then by file and position, for deterministic output."""
        location = re.sub(r"\d+", lambda m: m.group().zfill(20), self.location)
        return (
            FINDING_SEVERITIES.index(self.severity),
            self.file,
            location,
            self.rule_id,
            self.evidence,
        )


class FileDigest(BaseModel):
    """A file of the subject, as hashed."""

    path: str = Field(description="relative to the subject root, '/'-separated")
    size: int
    sha256: str
    format: str = Field(default="other", description="what the scanner read it as")


class RuleText(BaseModel):
    """A rule's short name and help, recorded for each rule that fired (SARIF shows them)."""

    name: str
    help: str


class ScanSection(Section):
    """Findings of the scan stage, the files they are about, and a verdict.

    ``unsafe``: a critical or high finding (loading may run code or escape the folder);
    ``review``: medium findings only; ``clean``: nothing above low.
    """

    verdict: ScanVerdict | None = None
    findings: list[ScanFinding] = Field(default_factory=list)
    files: list[FileDigest] = Field(default_factory=list)
    rules_version: str = Field(default="", description="version of the rule and allowlist data")
    rules: dict[str, RuleText] = Field(
        default_factory=dict, description="name and help of every rule that fired"
    )

    stage_class: ClassVar[str | None] = "modelpassport.scan:ScanStage"
    FACTS: ClassVar[tuple[FactSpec, ...]] = (_VERDICT, _WORST)

    def measured_facts(self) -> Iterator[Fact]:
        """The verdict and the worst finding's severity."""
        if self.verdict is not None:
            yield _VERDICT.category(self.verdict, f"{len(self.findings)} finding(s)")
        worst = min(self.findings, key=lambda f: FINDING_SEVERITIES.index(f.severity), default=None)
        label = worst.severity if worst is not None else "none"
        yield _WORST.category(label, f"{len(self.findings)} finding(s), worst {label}")

    def issues(self) -> list[Issue]:
        """Every finding, with its rule's name and help where the scan recorded them."""
        out = []
        for f in self.findings:
            rule = self.rules.get(f.rule_id)
            out.append(
                Issue(
                    rule_id=f.rule_id,
                    name=rule.name if rule else f.rule_id,
                    help=rule.help if rule else f.message,
                    severity=f.severity,
                    message=f.message,
                    file=f.file,
                    location=f.location,
                    evidence=f.evidence,
                )
            )
        return out

    def counts(self) -> dict[FindingSeverity, int]:
        """Number of findings per severity, every severity present."""
        counts: dict[FindingSeverity, int] = dict.fromkeys(FINDING_SEVERITIES, 0)
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
