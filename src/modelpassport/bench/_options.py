"""The bench stage's ``--option bench.KEY=VALUE`` settings, validated in one place.

The defaults make a short bench (a few seconds for the bundled 135M model on two cores),
because ``modelpassport audit`` runs the bench stage by default.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from modelpassport.passport.sections.bench import Slo
from modelpassport.stages import StageOptions


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class BenchOptions(StageOptions):
    """Every bench setting (``--option bench.KEY=VALUE``)."""

    concurrency: tuple[int, ...] = Field(default=(1, 2), description="closed-loop sweep")
    rates: tuple[float, ...] = Field(default=(), description="open-loop Poisson rates (req/s)")
    requests: int = Field(default=4, ge=1, le=100_000, description="measured requests per point")
    warmup: int = Field(default=1, ge=0, le=1000, description="unmeasured requests first")
    prompt_tokens: int = Field(default=96, ge=1, le=1_000_000, description="3:1 with output")
    max_tokens: int = Field(default=32, ge=2, le=1_000_000, description="output tokens asked")
    seed: int | None = Field(default=None, description="prompt seed (default: the audit's --seed)")
    request_timeout_s: float | None = Field(
        default=None, gt=0, description="seconds per request (default: --timeout)"
    )
    slo_ttft_s: float | None = Field(default=None, gt=0, description="goodput limit on TTFT")
    slo_tpot_s: float | None = Field(default=None, gt=0, description="goodput limit on TPOT")
    slo_e2e_s: float | None = Field(
        default=None, gt=0, description="goodput limit on end-to-end latency"
    )
    slo_target: float = Field(default=0.9, gt=0, le=1, description="attainment a point needs")
    usd_per_hour: float | None = Field(
        default=None, gt=0, description="what the serving machine costs per hour"
    )
    gpu: str | None = Field(default=None, description="a row of catalog/data/gpu_prices.toml")
    bandwidth: bool = Field(default=True, description="measure memory bandwidth (local models)")

    @field_validator("concurrency", "rates", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("concurrency")
    @classmethod
    def _positive_levels(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(level < 1 for level in value):
            raise ValueError("every concurrency must be at least 1")
        return tuple(sorted(set(value)))

    @field_validator("rates")
    @classmethod
    def _positive_rates(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not rate > 0 or rate == float("inf") for rate in value):
            raise ValueError("every rate must be a positive number of requests per second")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _some_load_level(self) -> BenchOptions:
        if not self.concurrency and not self.rates:
            raise ValueError("at least one load level (bench.concurrency or bench.rates)")
        return self

    def slo(self) -> Slo:
        """The SLO limits as recorded in the section."""
        return Slo(ttft_s=self.slo_ttft_s, tpot_s=self.slo_tpot_s, e2e_s=self.slo_e2e_s)
