"""Cost per quality: what an attempted task, a passed task and a quality point cost.

Per item: tokens from the server's ``usage`` (reasoning included, since the completion count
covers it), else estimated from the text and labelled so. Self-hosted: the machine's price
per second times the measured wall time of the run, shared among items in proportion to
their own request time (when answers came from the journal, each item's request time divided
by the concurrency used). APIs: list prices per million input and output tokens.

cost_of_pass = mean cost per attempt / accuracy (the expected spend per passed task);
usd_per_quality_point = cost of 1,000 attempts / accuracy in percentage points. Both get a
percentile bootstrap interval resampling items (fixed seed); an interval whose upper end is
unbounded (more than 2.5% of resamples have no pass) is left out, and with no pass at all
there is no figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from modelpassport.catalog import ApiPrice
from modelpassport.passport import Estimate, Interval
from modelpassport.passport.sections.capability import CostOption

from . import _parse as parse

BOOTSTRAP_ROUNDS = 2000
BOOTSTRAP_SEED = 20240611
SECONDS_PER_HOUR = 3600.0
MILLION = 1e6


@dataclass(frozen=True)
class ItemCost:
    """What one answered item used, and whether it passed."""

    prompt_tokens: int
    completion_tokens: int
    estimated: bool
    seconds: float
    passed: bool


@dataclass(frozen=True)
class Hourly:
    """A self-hosted machine price and where it came from."""

    usd_per_hour: float
    name: str
    source: str
    as_of: str


def estimate_tokens(text: str) -> int:
    """A rough token count when the server gives none: one per Chinese character plus one
    per four other characters (the usual English rule of thumb)."""
    cjk = parse.cjk_count(text)
    return cjk + math.ceil((len(text) - cjk) / 4)


def _estimate(value: float, draws: np.ndarray | None, n: int, unit: str, method: str) -> Estimate:
    interval = None
    if draws is not None:
        with np.errstate(invalid="ignore"):  # interpolating between two infinite draws
            low, high = (float(x) for x in np.percentile(draws, [2.5, 97.5]))
        if math.isfinite(low) and math.isfinite(high):
            interval = Interval(low=low, high=high, method=method)
    return Estimate(value=value, n=n, interval=interval, unit=unit, method=method)


def _option(costs: np.ndarray, passed: np.ndarray, **fields: str) -> CostOption:
    n = len(costs)
    method = f"bootstrap-percentile(B={BOOTSTRAP_ROUNDS}) over items"
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, n, size=(BOOTSTRAP_ROUNDS, n))
    mean_draws = costs[idx].mean(axis=1)
    acc_draws = passed[idx].mean(axis=1)
    per_attempt = _estimate(float(costs.mean()), mean_draws, n, "$", method)
    accuracy = float(passed.mean())
    if accuracy == 0:
        return CostOption(usd_per_attempt=per_attempt, **fields)
    with np.errstate(divide="ignore", invalid="ignore"):
        pass_draws = np.where(acc_draws > 0, mean_draws / acc_draws, np.inf)
    cost_of_pass = _estimate(float(costs.mean()) / accuracy, pass_draws, n, "$", method)
    per_point = _estimate(
        1000 * float(costs.mean()) / (100 * accuracy),
        1000 * pass_draws / 100,
        n,
        "$ per point per 1,000 tasks",
        method,
    )
    return CostOption(
        usd_per_attempt=per_attempt,
        cost_of_pass=cost_of_pass,
        usd_per_quality_point=per_point,
        **fields,
    )


def self_hosted(
    items: Sequence[ItemCost], price: Hourly, *, wall_s: float | None, concurrency: int
) -> CostOption | None:
    """Machine time shared among items; ``wall_s`` None when some answers were cached."""
    if not items:
        return None
    seconds = np.array([i.seconds for i in items], dtype=np.float64)
    per_second = price.usd_per_hour / SECONDS_PER_HOUR
    if wall_s is not None and seconds.sum() > 0:
        share = seconds / seconds.sum() * wall_s
        basis = f"measured wall time {wall_s:.1f} s at concurrency {concurrency}"
    else:
        share = seconds / max(1, concurrency)
        basis = f"request times / concurrency {concurrency} (answers partly from the journal)"
    return _option(
        share * per_second,
        np.array([i.passed for i in items], dtype=np.float64),
        kind="self_hosted",
        name=price.name,
        basis=f"${price.usd_per_hour:g}/hour x {basis}",
        source=price.source,
        as_of=price.as_of,
    )


def api(items: Sequence[ItemCost], price: ApiPrice, *, reference: bool) -> CostOption | None:
    """The items' tokens at one API list price. ``reference``: another model's price applied
    to this model's tokens and quality, for scale only (never a fact)."""
    if not items:
        return None
    costs = np.array(
        [
            (i.prompt_tokens * price.usd_per_mtok_in + i.completion_tokens * price.usd_per_mtok_out)
            / MILLION
            for i in items
        ],
        dtype=np.float64,
    )
    basis = (
        "this model's tokens and accuracy at another model's list price (for scale only)"
        if reference
        else "list price x this run's tokens"
    )
    return _option(
        costs,
        np.array([i.passed for i in items], dtype=np.float64),
        kind="api_price_reference" if reference else "api",
        name=price.id,
        basis=basis,
        source=price.source,
        as_of=price.as_of,
    )
