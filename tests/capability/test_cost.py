"""Cost per quality: self-hosted time shares, API list prices, and their intervals."""

from __future__ import annotations

import pytest

from modelpassport.capability import _cost as cost
from modelpassport.catalog import ApiPrice

PRICE = ApiPrice(
    provider="openai",
    model="m",
    usd_per_mtok_in=1.0,
    usd_per_mtok_out=4.0,
    as_of="2026-01-01",
    source="https://example.com/pricing",
)


def _items(passes: list[bool], seconds: float = 2.0) -> list[cost.ItemCost]:
    return [cost.ItemCost(1000, 250, False, seconds, p) for p in passes]


def test_api_cost_of_pass_and_per_point() -> None:
    row = cost.api(_items([True, False, True, False]), PRICE, reference=False)
    assert row is not None
    per_attempt = (1000 * 1.0 + 250 * 4.0) / 1e6
    assert row.usd_per_attempt.value == pytest.approx(per_attempt)
    assert row.cost_of_pass is not None
    assert row.cost_of_pass.value == pytest.approx(per_attempt / 0.5)
    assert row.usd_per_quality_point is not None
    assert row.usd_per_quality_point.value == pytest.approx(1000 * per_attempt / 50)
    assert row.kind == "api"


def test_self_hosted_shares_the_measured_wall_time() -> None:
    price = cost.Hourly(3.6, "box", "given", "given")
    items = _items([True] * 3, seconds=1.0) + _items([True], seconds=3.0)
    row = cost.self_hosted(items, price, wall_s=12.0, concurrency=2)
    assert row is not None
    # $0.001 per second x 12 s over 4 items.
    assert row.usd_per_attempt.value == pytest.approx(0.012 / 4)
    assert "wall time 12.0 s at concurrency 2" in row.basis
    cached = cost.self_hosted(items, price, wall_s=None, concurrency=2)
    assert cached is not None
    assert cached.usd_per_attempt.value == pytest.approx(0.001 * 6 / 2 / 4)


def test_no_pass_no_cost_of_pass_and_rare_passes_unbounded() -> None:
    none = cost.api(_items([False] * 10), PRICE, reference=True)
    assert none is not None
    assert none.cost_of_pass is None
    assert none.kind == "api_price_reference"
    rare = cost.api(_items([True] + [False] * 9), PRICE, reference=False)
    assert rare is not None
    assert rare.cost_of_pass is not None
    assert rare.cost_of_pass.interval is None  # a third of resamples have no pass
    assert cost.api([], PRICE, reference=False) is None


def test_token_estimate_counts_chinese_characters() -> None:
    assert cost.estimate_tokens("abcd" * 10) == 10
    assert cost.estimate_tokens("你好世界") == 4
