"""Rates and differences of rates, each with a 95% interval and the method that made it.

Observations come as *clusters*: one cluster per probe item, holding that item's binary
results (one per sample when ``narratives.samples=K`` asks each item K times, or one per
fact for recall). With one observation per cluster the analytic score intervals apply:

* a rate: Wilson score interval (good coverage at small n and near 0 or 1, unlike Wald);
* a difference of independent rates (sensitive minus matched control): Newcombe's hybrid
  score interval (method 10 of Newcombe 1998), built from the two Wilson intervals;
* a paired difference (Chinese twin minus English twin of the same item): Newcombe's
  hybrid score interval for paired proportions (method 10 of Newcombe 1998b), which uses
  the correlation between twins, so it is narrower than treating them as independent and
  stays inside [-1, 1] with sensible coverage when discordant pairs are few.

With several observations in a cluster they are not independent, so the interval comes
from a percentile bootstrap that resamples whole clusters (items, or twin pairs) with a
fixed seed, keeping the passport deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from modelpassport.passport import Estimate, Interval, Rate

Z95 = 1.959963984540054
BOOTSTRAP_ROUNDS = 2000
BOOTSTRAP_SEED = 20240604

Cluster = Sequence[bool]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (n > 0)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def newcombe_difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe hybrid score interval for p1 - p2, independent samples."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def newcombe_paired(
    both: int, first_only: int, second_only: int, neither: int
) -> tuple[float, float]:
    """Newcombe hybrid score interval for p1 - p2 from a paired 2x2 table.

    ``first_only`` counts pairs where only the first member had the event (e.g. only the
    Chinese twin was refused), ``second_only`` the reverse.
    """
    a, b, c, d = both, first_only, second_only, neither
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n)
    l2, u2 = wilson(a + c, n)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    # Newcombe's phi: a positive association is shrunk by n/2, a negative one kept as is.
    cross = a * d - b * c
    shrunk = max(cross - n / 2, 0.0) if cross > 0 else float(cross)
    phi = shrunk / math.sqrt(margins) if margins else 0.0
    diff = p1 - p2
    low_sq = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    high_sq = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    return max(-1.0, diff - math.sqrt(max(low_sq, 0.0))), min(
        1.0, diff + math.sqrt(max(high_sq, 0.0))
    )


def _counts(clusters: Sequence[Cluster]) -> tuple[np.ndarray, np.ndarray]:
    k = np.fromiter((sum(c) for c in clusters), dtype=np.int64, count=len(clusters))
    n = np.fromiter((len(c) for c in clusters), dtype=np.int64, count=len(clusters))
    return k, n


# Resample indices held in memory at once (int64 cells): the rounds are drawn in chunks of
# rows, so memory stays flat however many clusters a suite has.
CHUNK_CELLS = 1 << 18


def _resampled_sums(
    rng: np.random.Generator, clusters: int, *columns: np.ndarray
) -> list[np.ndarray]:
    """Each column's (one count per cluster) sum over every bootstrap round, each round a
    draw of ``clusters`` clusters with replacement, the same draw for every column."""
    rows = max(1, CHUNK_CELLS // max(clusters, 1))
    sums = [np.empty(BOOTSTRAP_ROUNDS, dtype=np.int64) for _ in columns]
    for start in range(0, BOOTSTRAP_ROUNDS, rows):
        stop = min(start + rows, BOOTSTRAP_ROUNDS)
        idx = rng.integers(0, clusters, size=(stop - start, clusters))
        for total, column in zip(sums, columns, strict=True):
            total[start:stop] = column[idx].sum(axis=1)
    return sums


def _resampled_ratio(k: np.ndarray, n: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ks, ns = _resampled_sums(rng, len(k), k, n)
    return np.asarray(ks / np.maximum(ns, 1), dtype=np.float64)


def _percentile(draws: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)


def _singletons(*groups: Sequence[Cluster]) -> bool:
    return all(len(c) == 1 for group in groups for c in group)


def rate(clusters: Sequence[Cluster]) -> Rate:
    """The event rate over all observations, with its interval (see module docstring)."""
    clusters = [c for c in clusters if len(c)]
    k, n = _counts(clusters)
    total_k, total_n = int(k.sum()), int(n.sum())
    if total_n == 0:
        return Rate(k=0, n=0, value=None, interval=None)
    if _singletons(clusters):
        low, high = wilson(total_k, total_n)
        method = "wilson"
    else:
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        low, high = _percentile(_resampled_ratio(k, n, rng))
        method = f"cluster-bootstrap-percentile(B={BOOTSTRAP_ROUNDS})"
    interval = Interval(low=round(low, 6), high=round(high, 6), method=method)
    return Rate(k=total_k, n=total_n, value=round(total_k / total_n, 6), interval=interval)


def difference(first: Sequence[Cluster], second: Sequence[Cluster]) -> Estimate:
    """Rate of ``first`` minus rate of ``second``, two independent groups of clusters."""
    first = [c for c in first if len(c)]
    second = [c for c in second if len(c)]
    k1, n1 = _counts(first)
    k2, n2 = _counts(second)
    size = len(first) + len(second)
    if not first or not second:
        return Estimate(value=None, n=size, method="newcombe-hybrid-score")
    value = float(k1.sum() / n1.sum() - k2.sum() / n2.sum())
    if _singletons(first, second):
        low, high = newcombe_difference(int(k1.sum()), int(n1.sum()), int(k2.sum()), int(n2.sum()))
        method = "newcombe-hybrid-score"
    else:
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        draws = _resampled_ratio(k1, n1, rng) - _resampled_ratio(k2, n2, rng)
        low, high = _percentile(draws)
        method = f"cluster-bootstrap-percentile(B={BOOTSTRAP_ROUNDS})"
    return _estimate(value, size, low, high, method)


def paired_difference(pairs: Sequence[tuple[Cluster, Cluster]]) -> Estimate:
    """Mean of first minus second over pairs (e.g. Chinese twin minus English twin)."""
    pairs = [(a, b) for a, b in pairs if len(a) and len(b)]
    if not pairs:
        return Estimate(value=None, n=0, method="newcombe-paired-hybrid-score")
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    k1, n1 = _counts(first)
    k2, n2 = _counts(second)
    value = float(k1.sum() / n1.sum() - k2.sum() / n2.sum())
    if _singletons(first, second):
        table = [0, 0, 0, 0]
        for (x,), (y,) in zip(first, second, strict=True):
            table[_cell(x, y)] += 1
        low, high = newcombe_paired(*table)
        method = "newcombe-paired-hybrid-score"
    else:
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        s1, t1, s2, t2 = _resampled_sums(rng, len(pairs), k1, n1, k2, n2)
        low, high = _percentile(np.asarray(s1 / t1 - s2 / t2, dtype=np.float64))
        method = f"paired-cluster-bootstrap-percentile(B={BOOTSTRAP_ROUNDS})"
    return _estimate(value, len(pairs), low, high, method)


def _cell(first: bool, second: bool) -> int:
    """Index into (both, first only, second only, neither)."""
    if first:
        return 0 if second else 1
    return 2 if second else 3


def _estimate(value: float, n: int, low: float, high: float, method: str) -> Estimate:
    interval = Interval(low=round(low, 6), high=round(high, 6), method=method)
    return Estimate(value=round(value, 6), n=n, interval=interval, method=method)
