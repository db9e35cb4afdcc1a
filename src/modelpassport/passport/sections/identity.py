"""The ``identity`` section: who made the model, as declared and as detected from its files.

Declared facts are what the files say about themselves (name, organisation, licence, base
model); detected facts are what their tokenizer, architecture and weights show. Every detected
claim carries a confidence in [0, 1] and the evidence behind it, and a disagreement between
the two is a finding. Lists are sorted and carry no timestamps, so two runs over the same
files give the same section byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec
from .._issues import Issue
from ._base import Section

IdentitySeverity = Literal["high", "medium", "low", "info"]
# The rule for "the files show a lineage the declaration does not admit".
UNDECLARED_LINEAGE = "MP-ID-001"

_DEVELOPER = FactSpec("identity.developer", "Developer", "category", "categorical", card=True)
_COUNTRY = FactSpec(
    "identity.country",
    "Developer country",
    "category",
    "categorical",
    description="ISO 3166-1 alpha-2 code of the developer's headquarters",
    card=True,
)
_FAMILY = FactSpec("identity.family", "Model family", "category", "categorical")
_LICENCE = FactSpec(
    "identity.licence",
    "Licence",
    "category",
    "categorical",
    description="the family's catalogued licence, else the one the files declare",
    card=True,
)
_LINEAGE = FactSpec(
    "identity.lineage",
    "Lineage",
    "category",
    "categorical",
    description="matches (weights match a reference), consistent, or undeclared lineage",
)
_LINEAGE_OK = FactSpec(
    "identity.lineage_matches",
    "Lineage matches declaration",
    "flag",
    "higher",
    description="no lineage shown by the files is missing from their declaration",
    card=True,
)
LineageVerdict = Literal["same_lineage", "unrelated", "inconclusive"]


class Clue(BaseModel):
    """One observation supporting a claim, with how much weight it carries."""

    kind: str = Field(description="tokenizer, architecture, dimensions, markers, weights, name")
    detail: str = Field(description="what was observed, e.g. 'vocabulary Jaccard 0.99 with qwen'")
    weight: float = Field(ge=0.0, le=1.0, description="strength of this evidence on its own")
    source: str | None = Field(default=None, description="URL or file the reference comes from")


class Claim(BaseModel):
    """A detected value with its confidence and the evidence behind it."""

    value: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Clue] = Field(default_factory=list)


class Licence(BaseModel):
    """A licence as the catalog knows it: identifier and its key terms."""

    id: str
    name: str
    spdx: bool = False
    url: str
    use_restrictions: str | None = None
    user_threshold: str | None = None
    attribution: str | None = None


class Declared(BaseModel):
    """What the files say about themselves (nothing here is verified)."""

    name: str | None = None
    organization: str | None = None
    licence: str | None = None
    base_models: list[str] = Field(default_factory=list)
    architecture: str | None = Field(default=None, description="config class or GGUF arch")
    parameters: int | None = Field(default=None, description="counted from tensor shapes")
    quantization: str | None = None
    context_length: int | None = None
    chat_templates: list[str] = Field(default_factory=list, description="template names")
    adapter: bool = Field(default=False, description="a LoRA/PEFT adapter, not a full model")
    family: str | None = Field(default=None, description="catalog family the name points to")


class Detected(BaseModel):
    """What the files show: family, developer, country and licence, each with confidence."""

    family: Claim
    developer: Claim
    country: Claim
    licence: Licence | None = None
    open_weights: bool | None = None
    first_release: str | None = None
    alternatives: list[str] = Field(default_factory=list, description="families equally likely")


class TokenizerSummary(BaseModel):
    """The subject's tokenizer fingerprint, as recorded for comparison by others."""

    kind: str
    vocab_size: int
    normal_tokens: int
    tokens_sha256: str
    merges_sha256: str | None = None
    special_tokens: list[str] = Field(default_factory=list)
    best_match: str | None = Field(default=None, description="catalog tokenizer id")
    best_jaccard: float | None = None


class LineageMatch(BaseModel):
    """Weight lineage against one reference model: the token-similarity structure of a
    sample of shared tokens, compared between the two embedding matrices."""

    reference: str = Field(description="reference file (or bundled package) compared against")
    reference_family: str | None = None
    shared_tokens: int = Field(ge=0)
    sample: int = Field(ge=0, description="tokens whose embeddings were compared")
    score: float | None = Field(description="Pearson r of pairwise cosine similarities")
    verdict: LineageVerdict
    method: str


class IdentityFinding(BaseModel):
    """A disagreement between what the files declare and what they show."""

    rule_id: str = Field(description="stable identifier, e.g. MP-ID-001")
    severity: IdentitySeverity
    message: str


class IdentitySection(Section):
    """Findings of the identity stage."""

    subject_kind: str | None = Field(default=None, description="gguf, hf_dir, dir or hosted")
    declared: Declared = Field(default_factory=Declared)
    detected: Detected | None = None
    tokenizer: TokenizerSummary | None = None
    lineage: list[LineageMatch] = Field(default_factory=list)
    findings: list[IdentityFinding] = Field(default_factory=list)
    catalog_version: str = Field(default="", description="schema version and sha256 of the catalog")

    stage_class: ClassVar[str | None] = "modelpassport.identity:IdentityStage"
    FACTS: ClassVar[tuple[FactSpec, ...]] = (
        _DEVELOPER,
        _COUNTRY,
        _FAMILY,
        _LICENCE,
        _LINEAGE,
        _LINEAGE_OK,
    )

    def measured_facts(self) -> Iterator[Fact]:
        """Who made it (as detected, with the clues), under which licence, and its lineage."""
        d = self.detected
        if d is not None:
            for spec, claim in (
                (_DEVELOPER, d.developer),
                (_COUNTRY, d.country),
                (_FAMILY, d.family),
            ):
                clues = "; ".join(e.detail for e in claim.evidence)
                detail = f"detected with confidence {claim.confidence}" + (
                    f" ({clues})" if clues else ""
                )
                yield spec.category(claim.value, detail)
        if d is not None and d.licence is not None:
            yield _LICENCE.category(
                d.licence.id,
                f"catalogued licence of the family (declared: {self.declared.licence})",
            )
        elif self.declared.licence:
            yield _LICENCE.category(
                self.declared.licence, "as declared by the files (not verified)"
            )
        if d is None:
            return
        undeclared = [f for f in self.findings if f.rule_id == UNDECLARED_LINEAGE]
        same = [m for m in self.lineage if m.verdict == "same_lineage"]
        if undeclared:
            lineage = _LINEAGE.category(
                "undeclared lineage", "; ".join(f.message for f in undeclared)
            )
        elif same:
            refs = ", ".join(f"{m.reference_family or m.reference} (r={m.score})" for m in same)
            lineage = _LINEAGE.category("matches", f"same lineage as {refs}")
        else:
            lineage = _LINEAGE.category(
                "consistent", "no disagreement between declared and detected"
            )
        yield lineage
        yield _LINEAGE_OK.flag(not undeclared, lineage.detail)

    def issues(self) -> list[Issue]:
        """Disagreements between declaration and files, for SARIF and the ML-BOM."""
        return [
            Issue(
                rule_id=f.rule_id,
                name="identity-" + f.rule_id.lower(),
                severity=f.severity,
                message=f.message,
                help="what the files declare about their origin disagrees with what they show",
            )
            for f in self.findings
        ]

    def summary(self) -> str:
        """E.g. 'SmolLM2 · Hugging Face (US) · Apache-2.0 · lineage matches'."""
        if self.status != "ok" or self.detected is None:
            return self.reason or ""
        d = self.detected
        family = d.family.value or "unknown family"
        if d.alternatives:
            family += f" (or {len(d.alternatives)} alike)"
        parts = [family]
        if d.developer.value:
            parts.append(f"{d.developer.value} ({d.country.value or '?'})")
        if d.licence is not None:
            parts.append(d.licence.id)
        if any(f.rule_id == UNDECLARED_LINEAGE for f in self.findings):
            parts.append("undeclared lineage")
        elif any(m.verdict == "same_lineage" for m in self.lineage):
            parts.append("lineage matches")
        return " · ".join(parts)
