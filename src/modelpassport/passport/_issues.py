"""Issues: findings a section raises for code-scanning dashboards and supply-chain inventories.

Any section may raise issues (a scan rule hit, an undeclared lineage, a leaked system prompt);
SARIF and the ML-BOM's vulnerabilities are written from every section's issues, so a new stage's
findings reach those tools without edits to the writers.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

FindingSeverity = Literal["critical", "high", "medium", "low", "info"]
FINDING_SEVERITIES: tuple[FindingSeverity, ...] = get_args(FindingSeverity)


class Issue(BaseModel):
    """One finding, with the rule that raised it and where it points."""

    model_config = ConfigDict(frozen=True)

    rule_id: str = Field(description="stable rule identifier, e.g. MP-PKL-002")
    name: str = Field(description="the rule's short name, e.g. pickle-global-not-allowlisted")
    severity: FindingSeverity
    message: str
    help: str = Field(default="", description="what the rule checks and what to do about it")
    file: str = Field(default="", description="file it is about, relative to the subject root")
    location: str = Field(default="", description="where in the file: offset, line, member")
    evidence: str = Field(default="", description="the exact text or value found")
