"""The ``capability`` section: what a model can do, pack by pack, and what a passed task costs.

Every item is checked by code (numbers, dates, JSON, constraints, tests run in a sandbox).
Rates carry k, n and a 95% interval; static published sets (HumanEval) are reported apart
from freshly generated items, and their difference is a contamination signal. Vertical
readiness is a reading of these scores against a threshold: it is not clinical, legal or
financial validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal, get_args

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec
from .._measure import Estimate, Rate
from ._base import Section

PackName = Literal[
    "instruction",
    "math",
    "code",
    "tools",
    "long_context",
    "translation",
    "finance",
    "health",
    "law",
]
PACK_NAMES: tuple[PackName, ...] = get_args(PackName)
VERTICAL_NAMES: tuple[PackName, ...] = ("finance", "health", "law")
READINESS = ("ready", "conditional", "not ready")
TokenBasis = Literal["usage", "estimated", "mixed"]

_ACCURACY = FactSpec(
    "capability.accuracy",
    "Task accuracy",
    "rate",
    "higher",
    description="items passed over items answered, every pack pooled (strict: all checks)",
    card=True,
)
_PACK = {
    name: FactSpec(
        f"capability.accuracy.{name}",
        f"Accuracy, {name.replace('_', ' ')}",
        "rate",
        "higher",
        description=f"items of the {name} pack passed (strict), Wilson interval",
    )
    for name in PACK_NAMES
}
_GAP = FactSpec(
    "capability.zh_en_gap",
    "Capability zh − en gap",
    "estimate",
    "higher",
    description="accuracy on Chinese twins minus English twins, paired",
)
_CONTAMINATION = FactSpec(
    "capability.static_minus_generated",
    "Static − generated (code)",
    "estimate",
    "lower",
    description="code accuracy on the published set (HumanEval) minus freshly generated "
    "functions: a large positive gap suggests the published set was seen in training",
)
_TRUNCATION = FactSpec(
    "capability.truncation_rate",
    "Truncated answers",
    "rate",
    "lower",
    description="answers cut by the length limit or with unterminated reasoning (failures)",
    concern=(0.05, 0.2),
)
_PER_POINT = FactSpec(
    "capability.usd_per_quality_point",
    "$ per quality point",
    "number",
    "lower",
    unit="$/pt per 1k tasks",
    description="cheapest option: cost of 1,000 attempted tasks divided by accuracy in "
    "percentage points",
    card=True,
)
_COST_OF_PASS = FactSpec(
    "capability.cost_of_pass",
    "Cost of a passed task",
    "number",
    "lower",
    unit="$",
    description="cheapest option: mean cost per attempt divided by accuracy",
)
_EFFECTIVE = FactSpec(
    "capability.effective_context",
    "Effective context",
    "number",
    "higher",
    unit="tokens",
    description="longest tested prompt length whose long-context accuracy clears the threshold",
)
_READY: dict[str, FactSpec] = {
    name: FactSpec(
        f"capability.readiness.{name}",
        f"{name.capitalize()} readiness",
        "category",
        "categorical",
        description=f"ready: lower 95% bound of {name} accuracy clears the threshold; "
        "conditional: only the point estimate does; not a clinical or legal validation",
        order=READINESS,
    )
    for name in VERTICAL_NAMES
}


class PackScore(BaseModel):
    """One pack's results, errors excluded; a pass means every check of the item passed."""

    pack: str
    items: int = Field(ge=0, description="items asked")
    answered: int = Field(ge=0)
    errors: int = Field(ge=0, description="endpoint errors: excluded from every rate")
    accuracy: Rate = Field(description="items passed (strict), Wilson interval")
    checks: Rate | None = Field(
        default=None,
        description="sub-checks passed (loose), cluster bootstrap over items; for packs "
        "whose items carry several checks",
    )
    by_tier: dict[str, Rate] = Field(default_factory=dict)
    by_lang: dict[str, Rate] = Field(default_factory=dict)
    by_origin: dict[str, Rate] = Field(
        default_factory=dict, description="generated, static (published set), held_out"
    )
    zh_en_gap: Estimate | None = Field(default=None, description="zh minus en twins, paired")
    truncated: Rate | None = None


class LengthScore(BaseModel):
    """Long-context accuracy at one prompt length."""

    tokens: int = Field(description="approximate prompt length in tokens")
    accuracy: Rate
    passes: bool = Field(description="the point estimate clears the stage threshold")


class LongContext(BaseModel):
    """Accuracy against prompt length, and the effective context it implies."""

    lengths: list[LengthScore] = Field(default_factory=list)
    threshold: float
    effective_tokens: int | None = Field(
        default=None, description="longest tested length passing, with every shorter one"
    )
    declared_tokens: int | None = Field(
        default=None, description="the context the model declares (capability.declared_context)"
    )


class CostOption(BaseModel):
    """What the run's tasks cost on one option, and what a passed task and a point cost."""

    kind: Literal["self_hosted", "api", "api_price_reference"]
    name: str
    basis: str = Field(description="what the figure rests on")
    source: str
    as_of: str
    usd_per_attempt: Estimate = Field(description="mean cost of one item, bootstrap interval")
    cost_of_pass: Estimate | None = Field(
        default=None, description="usd_per_attempt / accuracy, bootstrap interval over items"
    )
    usd_per_quality_point: Estimate | None = Field(
        default=None,
        description="cost of 1,000 attempts / accuracy in percentage points (bootstrap)",
    )


class Readiness(BaseModel):
    """A vertical's accuracy read against the stage threshold (not a validation)."""

    vertical: str
    accuracy: Rate
    threshold: float
    verdict: Literal["ready", "conditional", "not ready"]


class TokenUse(BaseModel):
    """Tokens the run used, from the server's usage where given, else estimated."""

    prompt: int = Field(ge=0)
    completion: int = Field(ge=0, description="answer tokens, reasoning tokens included")
    basis: TokenBasis
    estimated_items: int = Field(ge=0, description="items whose counts are estimated")


class CapabilityItemRecord(BaseModel):
    """One item as asked and checked; untrusted text is truncated."""

    id: str
    pack: str
    tier: str
    lang: str
    origin: str
    family: str = ""
    passed: bool | None = Field(description="None: not checked (endpoint error)")
    checks_passed: int = Field(default=0, ge=0)
    checks_total: int = Field(default=0, ge=0)
    truncated: bool = False
    note: str | None = None
    answer: str | None = None
    error: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_estimated: bool = False
    seconds: float | None = None


class ExternalResult(BaseModel):
    """A result another harness produced, imported as-is; never a fact of this passport."""

    harness: Literal["lm-evaluation-harness", "inspect"]
    task: str
    metric: str
    value: float
    stderr: float | None = None
    n: int | None = None
    rate: Rate | None = Field(default=None, description="k/n when read from per-sample logs")
    source: str = Field(description="the file it was read from")
    label: str = Field(description="always 'not run by modelpassport'")


class CapabilitySettings(BaseModel):
    """What was asked, so two capability sections can be compared fairly."""

    suite_version: str
    packs: list[str]
    seed: int
    sample_requested: int | None
    items_in_suite: int
    items_asked: int
    threshold: float
    concurrency: int


class CapabilitySection(Section):
    """Findings of the capability stage."""

    settings: CapabilitySettings | None = None
    overall: Rate | None = None
    packs: list[PackScore] = Field(default_factory=list)
    zh_en_gap: Estimate | None = None
    static_minus_generated: Estimate | None = Field(
        default=None, description="code: HumanEval minus generated functions (contamination)"
    )
    truncation: Rate | None = None
    long_context: LongContext | None = None
    readiness: list[Readiness] = Field(default_factory=list)
    tokens: TokenUse | None = None
    costs: list[CostOption] = Field(default_factory=list)
    items: list[CapabilityItemRecord] = Field(default_factory=list)
    external: list[ExternalResult] = Field(
        default_factory=list, description="other harnesses' results: not run by modelpassport"
    )
    notes: list[str] = Field(default_factory=list, description="method notes and caveats")

    stage_class: ClassVar[str | None] = "modelpassport.capability:CapabilityStage"
    FACTS: ClassVar[tuple[FactSpec, ...]] = (
        _ACCURACY,
        *_PACK.values(),
        _GAP,
        _CONTAMINATION,
        _TRUNCATION,
        _PER_POINT,
        _COST_OF_PASS,
        _EFFECTIVE,
        *_READY.values(),
    )

    def measured_facts(self) -> Iterator[Fact]:
        """Accuracy (pooled and per pack), gaps, truncation, cost per quality, readiness."""
        yield _ACCURACY.rate(self.overall)
        packs = {p.pack: p for p in self.packs}
        for name, spec in _PACK.items():
            if name in packs:
                yield spec.rate(packs[name].accuracy)
        yield _GAP.estimate(self.zh_en_gap)
        yield _CONTAMINATION.estimate(self.static_minus_generated)
        yield _TRUNCATION.rate(self.truncation)
        priced = [c for c in self.costs if c.kind != "api_price_reference" and c.cost_of_pass]
        if priced:
            best = min(priced, key=lambda c: _value(c.cost_of_pass))
            yield _COST_OF_PASS.number(
                best.cost_of_pass.value if best.cost_of_pass else None,
                f"{best.name} ({best.basis})",
                n=best.usd_per_attempt.n,
            )
            per_point = best.usd_per_quality_point
            yield _PER_POINT.number(
                per_point.value if per_point else None,
                f"{best.name} ({best.basis})",
                n=best.usd_per_attempt.n,
            )
        if self.long_context is not None and self.long_context.lengths:
            long = self.long_context
            shortest = long.lengths[0].tokens
            # None passing is a measurement: the effective context is below the shortest length.
            yield _EFFECTIVE.number(
                long.effective_tokens or 0,
                f"threshold {long.threshold:.0%}; declared {long.declared_tokens or 'unknown'}"
                + ("" if long.effective_tokens else f"; no tested length passes ({shortest}+)"),
                n=sum(row.accuracy.n for row in long.lengths),
            )
        for row in self.readiness:
            acc, interval = row.accuracy, row.accuracy.interval
            shown = "no answers" if acc.value is None else f"accuracy {acc.value:.0%}"
            if interval is not None:
                shown += f", lower bound {interval.low:.0%}"
            yield _READY[row.vertical].category(
                row.verdict, f"{shown} (n={acc.n}); threshold {row.threshold:.0%}"
            )

    def summary(self) -> str:
        """Pooled accuracy, the best and worst pack, and the cheapest cost per point."""
        if self.status != "ok" or self.overall is None or self.overall.value is None:
            return super().summary()
        parts = [f"{self.overall.value:.0%} of {self.overall.n} tasks passed"]
        scored = [p for p in self.packs if p.accuracy.value is not None]
        if scored:
            text = ", ".join(f"{p.pack} {p.accuracy.value:.0%}" for p in scored)
            parts.append(text)
        return "; ".join(parts)


def _value(estimate: Estimate | None) -> float:
    if estimate is None or estimate.value is None:
        return float("inf")
    return estimate.value
