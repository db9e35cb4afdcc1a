"""Intervals against published worked examples and by simulated coverage."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from modelpassport.scoring import (
    _stats,
    difference,
    newcombe_difference,
    newcombe_paired,
    paired_difference,
    rate,
    wilson,
)


def test_wilson_matches_newcombe_1998_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_at_the_boundaries() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    assert wilson(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="k <= n"):
        wilson(3, 2)


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, method 10, 56/70 - 48/80: 0.0524 to 0.3339.
    low, high = newcombe_difference(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_newcombe_paired_matches_worked_example() -> None:
    # Paired 2x2 (both, first only, second only, neither) = (1, 1, 7, 12): 0.10 - 0.40.
    low, high = newcombe_paired(1, 1, 7, 12)
    assert (round(low, 3), round(high, 3)) == (-0.507, -0.026)


def test_paired_interval_is_narrower_than_independent_for_correlated_twins() -> None:
    paired = newcombe_paired(30, 6, 2, 22)
    independent = newcombe_difference(36, 60, 32, 60)
    assert paired[1] - paired[0] < independent[1] - independent[0]


def test_wilson_coverage_by_simulation() -> None:
    rng = np.random.default_rng(7)
    p, n, rounds = 0.1, 40, 3000
    hits = 0
    for k in rng.binomial(n, p, size=rounds):
        low, high = wilson(int(k), n)
        hits += low <= p <= high
    assert 0.92 <= hits / rounds <= 0.98


def test_rate_uses_wilson_for_single_observations() -> None:
    result = rate([[True], [False], [False], [True]])
    assert (result.k, result.n, result.value) == (2, 4, 0.5)
    assert result.interval is not None
    assert result.interval.method == "wilson"
    assert rate([]).value is None


def test_rate_bootstraps_whole_items_when_repeated() -> None:
    clustered = rate([[True, True, True]] * 5 + [[False, False, False]] * 5)
    flat = rate([[True]] * 15 + [[False]] * 15)
    assert clustered.value == flat.value == 0.5
    assert clustered.interval is not None
    assert flat.interval is not None
    assert clustered.interval.method.startswith("cluster-bootstrap")
    # perfectly correlated samples carry the information of 10 items, not 30
    assert clustered.interval.high - clustered.interval.low > flat.interval.high - flat.interval.low
    assert rate([[True, True, True]] * 5 + [[False, False, False]] * 5) == clustered


def test_difference_and_paired_difference() -> None:
    est = difference([[True]] * 9 + [[False]], [[False]] * 10)
    assert est.value == pytest.approx(0.9)
    assert est.interval is not None
    assert est.interval.low > 0
    assert difference([], [[True]]).value is None
    gap = paired_difference([([True], [False])] * 8 + [([True], [True])] * 2)
    assert gap.value == pytest.approx(0.8)
    assert gap.interval is not None
    assert gap.interval.method == "newcombe-paired-hybrid-score"
    assert gap.interval.low > 0
    assert paired_difference([([True], [])]).value is None


def test_bootstrap_draws_in_chunks_without_changing_the_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(7)
    clusters = [[bool(x) for x in rng.integers(0, 2, size=3)] for _ in range(600)]
    pairs = list(zip(clusters[:300], clusters[300:], strict=True))
    whole = (rate(clusters).interval, paired_difference(pairs).interval)
    monkeypatch.setattr(_stats, "CHUNK_CELLS", 997)
    assert (rate(clusters).interval, paired_difference(pairs).interval) == whole


def test_bootstrap_memory_stays_flat_on_a_large_suite() -> None:
    """20,000 repeated items: drawn at once, the resamples peaked above 600 MB."""
    clusters = [[True, i % 3 == 0] for i in range(20_000)]
    tracemalloc.start()
    try:
        result = rate(clusters)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.interval is not None
    assert result.interval.low < result.value < result.interval.high
    assert peak < 64 * 2**20
