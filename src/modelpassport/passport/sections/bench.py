"""The ``bench`` section of the passport: speed measured at the client, and what it costs.

Field names are chosen for the report: ``points`` draw the throughput-vs-latency curve
(x = ``output_tokens_per_s``, y = ``ttft_s.p50`` / ``tpot_s.p50``, one point per concurrency
or request rate), ``costs`` fill the cost table. A point with ``valid`` false carries its
``invalid_reasons`` and must not be drawn as a measurement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec
from .._measure import Rate
from ._base import Section

_THROUGHPUT = FactSpec(
    "bench.output_tokens_per_s",
    "Speed",
    "number",
    "higher",
    unit="output tok/s",
    description="output tokens per second at the best valid load point",
    card=True,
)
_TTFT = FactSpec(
    "bench.ttft_p50_s",
    "Time to first token",
    "number",
    "lower",
    unit="s",
    description="median time to first token at the lowest valid load level",
)
_TASK = FactSpec(
    "bench.usd_per_task",
    "Cost per task",
    "number",
    "lower",
    unit="$/task",
    description="self-hosted cost of one request of the measured mean size",
)
_COST = FactSpec(
    "bench.usd_per_mtok",
    "Cost",
    "number",
    "lower",
    unit="$/Mtok",
    description="cheapest self-hosted cost per million tokens processed (blended)",
    card=True,
)

TokenSource = Literal["usage", "tokenizer", "estimated", "mixed", "none"]


class Distribution(BaseModel):
    """Percentiles of one latency quantity over ``n`` observations (linear interpolation)."""

    n: int = Field(ge=0)
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    max: float | None = None
    unit: str = "s"


class Slo(BaseModel):
    """Service-level limits a request must meet to count towards goodput (None = no limit)."""

    ttft_s: float | None = None
    tpot_s: float | None = None
    e2e_s: float | None = None


class BenchPoint(BaseModel):
    """One load level: a closed-loop concurrency or an open-loop (Poisson) request rate."""

    mode: Literal["concurrency", "rate"]
    concurrency: int | None = Field(default=None, description="requests kept in flight")
    rate_rps: float | None = Field(default=None, description="mean Poisson arrival rate")
    n_requests: int = Field(ge=0, description="measured requests (warm-up excluded)")
    n_ok: int = Field(ge=0, description="complete, honest responses used in the metrics")
    n_invalid: int = Field(ge=0, description="responses failing the honesty checks")
    n_errors: int = Field(ge=0, description="requests that failed (endpoint error, timeout)")
    invalid_reasons: dict[str, int] = Field(default_factory=dict)
    errors: dict[str, int] = Field(default_factory=dict)
    valid: bool = Field(description="every request finished honestly; else not a measurement")
    duration_s: float = Field(description="first request sent to last byte received")
    ttft_s: Distribution = Field(description="request sent to first non-empty delta")
    itl_s: Distribution = Field(description="every gap between consecutive streamed deltas")
    tpot_s: Distribution = Field(description="(e2e - ttft) / (output tokens - 1), per request")
    e2e_s: Distribution = Field(description="request sent to end of stream")
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    token_source: TokenSource
    output_tokens_per_s: float | None = None
    total_tokens_per_s: float | None = None
    requests_per_s: float | None = None
    goodput_rps: float | None = Field(default=None, description="requests meeting every SLO /s")
    slo_attainment: Rate | None = Field(default=None, description="share meeting every SLO")


class Bandwidth(BaseModel):
    """How close decoding comes to the memory-bandwidth limit (local models only)."""

    memory_gb_per_s: float = Field(description="measured on this host with numpy")
    method: str
    model_bytes: int = Field(description="bytes of weights read per decoded token (file size)")
    decode_tokens_per_s: float = Field(description="one stream: 1 / median TPOT at concurrency 1")
    ceiling_tokens_per_s: float = Field(description="memory_gb_per_s * 1e9 / model_bytes")
    utilisation: float = Field(description="decode_tokens_per_s / ceiling_tokens_per_s")


class CostRow(BaseModel):
    """What one task, and a million tokens, cost on one option (self-hosted or a hosted API)."""

    kind: Literal["self_hosted", "api"]
    name: str
    usd_per_hour: float | None = None
    usd_per_mtok_input: float | None = None
    usd_per_mtok_output: float | None = None
    usd_per_mtok_blended: float | None = Field(
        default=None,
        description="APIs: the 3:1 input:output blend, (3 * input + output) / 4; self-hosted: "
        "per million tokens processed (input + output) at the measured mix (3:1 by default)",
    )
    usd_per_task: float | None = Field(
        default=None, description="one request of the measured mean input and output tokens"
    )
    basis: str = Field(description="what the figure rests on (measured point, list price)")
    source: str
    as_of: str


class BenchSettings(BaseModel):
    """What was asked of the target, so two bench sections can be compared fairly."""

    concurrencies: list[int]
    rates_rps: list[float]
    requests_per_point: int
    warmup: int
    prompt_tokens: int
    max_tokens: int
    seed: int
    request_timeout_s: float
    slo: Slo


class BenchSection(Section):
    """Findings of the bench stage."""

    settings: BenchSettings | None = None
    points: list[BenchPoint] = Field(default_factory=list)
    bandwidth: Bandwidth | None = None
    costs: list[CostRow] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="method notes and caveats")

    stage_class: ClassVar[str | None] = "modelpassport.bench:BenchStage"
    FACTS: ClassVar[tuple[FactSpec, ...]] = (_THROUGHPUT, _TTFT, _COST, _TASK)

    def measured_facts(self) -> Iterator[Fact]:
        """Best honest throughput, latency at the lightest load, cheapest self-hosted $/Mtok."""
        valid = [p for p in self.points if p.valid and p.output_tokens_per_s is not None]
        if valid:
            best = max(valid, key=lambda p: p.output_tokens_per_s or 0.0)
            yield _THROUGHPUT.number(
                best.output_tokens_per_s,
                f"best valid load point ({best.mode} {_level(best)})",
                n=best.n_ok,
            )
            light = min(valid, key=lambda p: (p.concurrency or 0, p.rate_rps or 0.0))
            yield _TTFT.number(
                light.ttft_s.p50, f"p50 at {light.mode} {_level(light)}", n=light.ttft_s.n
            )
        hosted = [
            c for c in self.costs if c.kind == "self_hosted" and c.usd_per_mtok_blended is not None
        ]
        if hosted:
            cheapest = min(hosted, key=lambda c: c.usd_per_mtok_blended or 0.0)
            yield _COST.number(
                cheapest.usd_per_mtok_blended,
                f"self-hosted on {cheapest.name}, per Mtok processed ({cheapest.basis})",
            )
            yield _TASK.number(
                cheapest.usd_per_task, f"self-hosted on {cheapest.name} ({cheapest.basis})"
            )

    def summary(self) -> str:
        """Best honest throughput, its latency, and the cheapest self-hosted figure."""
        if self.status != "ok":
            return super().summary()
        valid = [p for p in self.points if p.valid and p.output_tokens_per_s is not None]
        invalid = len(self.points) - len(valid)
        if not valid:
            return f"no valid bench point ({invalid} flagged invalid)"
        best = max(valid, key=lambda p: p.output_tokens_per_s or 0.0)
        level = f"c={best.concurrency}" if best.mode == "concurrency" else f"{best.rate_rps:g} rps"
        ttft = best.ttft_s.p50
        parts = [f"{best.output_tokens_per_s:.1f} out tok/s at {level}"]
        if ttft is not None:
            parts.append(f"TTFT p50 {ttft * 1000:.0f} ms")
        hosted = [c for c in self.costs if c.kind == "self_hosted" and c.usd_per_mtok_output]
        if hosted:
            parts.append(f"${hosted[0].usd_per_mtok_output:.2f}/Mtok out self-hosted")
        if invalid:
            parts.append(f"{invalid} point(s) invalid")
        return ", ".join(parts)


def _level(point: BenchPoint) -> str:
    return str(point.concurrency if point.mode == "concurrency" else point.rate_rps)
