"""The ``identity`` section: who made the model, as declared and as detected from its files.

Declared facts are what the files say about themselves (name, organisation, licence, base
model); detected facts are what their tokenizer, architecture and weights show. Every detected
claim carries a confidence in [0, 1] and the evidence behind it, and a disagreement between
the two is a finding. Lists are sorted and carry no timestamps, so two runs over the same
files give the same section byte for byte.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ._base import Section

IdentitySeverity = Literal["high", "medium", "low", "info"]
LineageVerdict = Literal["same_lineage", "unrelated", "inconclusive"]


class Evidence(BaseModel):
    """One observation supporting a claim, with how much weight it carries."""

    kind: str = Field(description="tokenizer, architecture, dimensions, markers, weights, name")
    detail: str = Field(description="what was observed, e.g. 'vocabulary Jaccard 0.99 with qwen'")
    weight: float = Field(ge=0.0, le=1.0, description="strength of this evidence on its own")
    source: str | None = Field(default=None, description="URL or file the reference comes from")


class Claim(BaseModel):
    """A detected value with its confidence and the evidence behind it."""

    value: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)


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
        if any(f.rule_id == "MP-ID-001" for f in self.findings):
            parts.append("undeclared lineage")
        elif any(m.verdict == "same_lineage" for m in self.lineage):
            parts.append("lineage matches")
        return " · ".join(parts)
