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

from pydantic import BaseModel, Field, PrivateAttr

from ._facts import Fact, FactSpec
from ._issues import Issue
from .sections import (
    BenchSection,
    CapabilitySection,
    IdentitySection,
    NarrativesSection,
    ScanSection,
    Section,
    SecuritySection,
)

SCHEMA_VERSION = "0.3.0"

S = TypeVar("S", bound=Section)

# A stage's name is its field in ``Findings``; validated against ``STAGE_NAMES`` where it enters.
StageName = str


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
    """Every stage's section; a stage that did not run is present and says why.

    This class is the registry of stages: one field per stage, in the order stages run and are
    shown. The section class names the stage that fills it (``Section.stage_class``).
    """

    identity: IdentitySection = Field(default_factory=_not_run(IdentitySection))
    scan: ScanSection = Field(default_factory=_not_run(ScanSection))
    narratives: NarrativesSection = Field(default_factory=_not_run(NarrativesSection))
    security: SecuritySection = Field(default_factory=_not_run(SecuritySection))
    capability: CapabilitySection = Field(default_factory=_not_run(CapabilitySection))
    bench: BenchSection = Field(default_factory=_not_run(BenchSection))

    def digest(self) -> str:
        """sha256 of the canonical JSON of the findings."""
        return hashlib.sha256(canonical_json(self).encode("utf-8")).hexdigest()

    def sections(self) -> list[tuple[StageName, Section]]:
        """(stage, section) pairs in stage order: how writers walk a passport generically."""
        return [(name, getattr(self, name)) for name in STAGE_NAMES]

    def facts(self) -> list[Fact]:
        """Every declared fact of every section, in stage order; missing ones say why."""
        return [fact for name, section in self.sections() for fact in section.facts(name)]

    def issues(self) -> list[tuple[StageName, Issue]]:
        """Every section's issues, tagged with the stage that raised them."""
        return [(name, issue) for name, section in self.sections() for issue in section.issues()]


STAGE_NAMES: tuple[StageName, ...] = tuple(Findings.model_fields)


def section_class(name: StageName) -> type[Section]:
    """The section model of a stage (``KeyError`` for a name that is no stage)."""
    annotation = Findings.model_fields[name].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, Section)):
        raise TypeError(f"Findings.{name} is not a Section")
    return annotation


def fact_specs() -> dict[str, FactSpec]:
    """Every fact id this version can produce, with its declaration (policies check against it)."""
    return {spec.id: spec for name in STAGE_NAMES for spec in section_class(name).fact_specs(name)}


class Passport(BaseModel):
    """The whole document written to passport.json."""

    schema_version: str = SCHEMA_VERSION
    subject: SubjectInfo
    findings: Findings
    findings_digest: str
    run: RunInfo
    # The digest of the findings exactly as a file held them (set by the reader). A passport
    # written by an older version lacks fields added since; its digest is checked against
    # what it said, not against a re-serialisation with those fields filled in.
    _as_read: tuple[str, str] | None = PrivateAttr(default=None)

    def mark_read(self, document: dict[str, object]) -> None:
        """Record the canonical JSON of the document and its findings as read from a file."""
        self._as_read = (_canonical(document), _canonical(document.get("findings")))

    def actual_digest(self) -> str:
        """sha256 of the findings as read from the file, or as held in memory."""
        if self._as_read is not None:
            return hashlib.sha256(self._as_read[1].encode("utf-8")).hexdigest()
        return self.findings.digest()

    def canonical(self) -> str:
        """The canonical JSON of the whole document, as read where it was read (signatures)."""
        return self._as_read[0] if self._as_read is not None else canonical_json(self)

    def digest_ok(self) -> bool:
        """Whether the findings still match their recorded digest (not edited since the audit)."""
        return self.actual_digest() == self.findings_digest


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(model: BaseModel) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 kept: stable across runs."""
    return _canonical(model.model_dump(mode="json"))


def passport_json_schema() -> dict[str, object]:
    """The JSON Schema of the passport, as exported to schema/passport.schema.json."""
    schema = Passport.model_json_schema()
    schema["$id"] = f"https://modelpassport.dev/schema/passport-{SCHEMA_VERSION}.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
