"""Numbers that carry their evidence: every rate has its n, its interval and its method."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Interval(BaseModel):
    """A two-sided confidence interval."""

    low: float
    high: float
    level: float = 0.95
    method: str = Field(description="e.g. 'wilson', 'bootstrap-percentile', 'newcombe'")


class Rate(BaseModel):
    """k events out of n trials, with its interval. ``value`` is None when n is 0."""

    k: int = Field(ge=0)
    n: int = Field(ge=0)
    value: float | None
    interval: Interval | None


class Estimate(BaseModel):
    """A continuous statistic over n observations (a difference of rates, a latency p90...)."""

    value: float | None
    n: int = Field(ge=0)
    interval: Interval | None = None
    unit: str | None = None
    method: str
