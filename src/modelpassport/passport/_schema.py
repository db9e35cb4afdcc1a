"""The passport: one versioned document per audited model.

``run`` (when, where, with which versions) is kept apart from ``findings`` (what was
measured), so two identical deterministic runs produce byte-identical findings and the
findings digest identifies the evidence, not the occasion.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, Field

# Defined apart so the command line can list them without importing pydantic; re-exported.
from modelpassport._names import STAGE_NAMES as STAGE_NAMES
from modelpassport._names import StageName as StageName

from .sections import (
    BenchSection,
    CapabilitySection,
    IdentitySection,
    NarrativesSection,
    ScanSection,
    Section,
    SecuritySection,
)

SCHEMA_VERSION = "0.1.0"

S = TypeVar("S", bound=Section)


class SubjectInfo(BaseModel):
    """What was audited, as the user named it and as it resolved."""

    ref: str = Field(description="the REF as given (secrets never appear here)")
    kind: str = Field(description="gguf, hf_dir, openai_compat, anthropic, scripted, ...")
    target: str | None = Field(default=None, description="provider|model|endpoint of the target")
    files: list[str] = Field(default_factory=list, description="artifact paths audited")


class StageRun(BaseModel):
    """How one stage ran: timing and request accounting, not findings."""

    seconds: float
    requests: int = 0
    cached: int = 0
    errors: int = 0


class RunInfo(BaseModel):
    """The occasion of the audit; excluded from the findings digest."""

    started_at: str
    finished_at: str
    host: str
    platform: str
    python: str
    modelpassport: str
    packages: dict[str, str] = Field(default_factory=dict)
    config: dict[str, object] = Field(default_factory=dict)
    config_hash: str
    stages: dict[str, StageRun] = Field(default_factory=dict)
    interrupted: bool = False


def _not_run(cls: type[S]) -> Callable[[], S]:
    return lambda: cls(status="skipped", reason="stage not requested")


class Findings(BaseModel):
    """Every stage's section; a stage that did not run is present and says why."""

    identity: IdentitySection = Field(default_factory=_not_run(IdentitySection))
    scan: ScanSection = Field(default_factory=_not_run(ScanSection))
    narratives: NarrativesSection = Field(default_factory=_not_run(NarrativesSection))
    security: SecuritySection = Field(default_factory=_not_run(SecuritySection))
    capability: CapabilitySection = Field(default_factory=_not_run(CapabilitySection))
    bench: BenchSection = Field(default_factory=_not_run(BenchSection))

    def digest(self) -> str:
        """sha256 of the canonical JSON of the findings."""
        return hashlib.sha256(canonical_json(self).encode("utf-8")).hexdigest()


class Passport(BaseModel):
    """The whole document written to passport.json."""

    schema_version: str = SCHEMA_VERSION
    subject: SubjectInfo
    findings: Findings
    findings_digest: str
    run: RunInfo


def canonical_json(model: BaseModel) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 kept: stable across runs."""
    return json.dumps(
        model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def passport_json_schema() -> dict[str, object]:
    """The JSON Schema of the passport, as exported to schema/passport.schema.json."""
    schema = Passport.model_json_schema()
    schema["$id"] = f"https://modelpassport.dev/schema/passport-{SCHEMA_VERSION}.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
