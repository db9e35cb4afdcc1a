"""The bench stage's ``--option bench.KEY=VALUE`` settings, validated in one place.

The defaults make a short bench (a few seconds for the bundled 135M model on two cores),
because ``modelpassport audit`` runs the bench stage by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modelpassport.errors import InputError
from modelpassport.passport.sections.bench import Slo


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class BenchOptions(BaseModel):
    """Every bench setting; ``from_strings`` reads them from ``--option`` values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: tuple[int, ...] = Field(default=(1, 2), description="closed-loop sweep")
    rates: tuple[float, ...] = Field(default=(), description="open-loop Poisson rates (req/s)")
    requests: int = Field(default=4, ge=1, le=100_000, description="measured requests per point")
    warmup: int = Field(default=1, ge=0, le=1000, description="unmeasured requests first")
    prompt_tokens: int = Field(default=96, ge=1, le=1_000_000, description="3:1 with output")
    max_tokens: int = Field(default=32, ge=2, le=1_000_000)
    seed: int | None = None
    request_timeout_s: float | None = Field(default=None, gt=0)
    slo_ttft_s: float | None = Field(default=None, gt=0)
    slo_tpot_s: float | None = Field(default=None, gt=0)
    slo_e2e_s: float | None = Field(default=None, gt=0)
    slo_target: float = Field(default=0.9, gt=0, le=1, description="attainment a point needs")
    usd_per_hour: float | None = Field(default=None, gt=0)
    gpu: str | None = Field(default=None, description="a row of bench/data/gpu_prices.toml")
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

    @classmethod
    def from_strings(cls, values: Mapping[str, str]) -> BenchOptions:
        """Validate ``--option bench.*`` strings; a bad one names the option and what it wants."""
        try:
            options = cls.model_validate(dict(values))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(part) for part in first["loc"][:1]) or "?"
            raw = values.get(key, "")
            raise InputError(f"--option bench.{key}={raw}", f"expected {first['msg']}") from None
        if not options.concurrency and not options.rates:
            raise InputError("--option bench.concurrency", "expected at least one load level")
        return options

    def slo(self) -> Slo:
        """The SLO limits as recorded in the section."""
        return Slo(ttft_s=self.slo_ttft_s, tpot_s=self.slo_tpot_s, e2e_s=self.slo_e2e_s)
