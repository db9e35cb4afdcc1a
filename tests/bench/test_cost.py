"""The cost model: the 3:1 blend, self-hosted dollars from throughput, price catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.bench import blend
from modelpassport.bench._cost import api_row, basis_point, self_hosted_row
from modelpassport.bench._metrics import wilson_rate
from modelpassport.catalog import load_catalog, load_machines
from modelpassport.errors import InputError
from modelpassport.passport.sections.bench import BenchPoint, Distribution


def point(
    tok_s: float,
    rps: float,
    *,
    valid: bool = True,
    attained: int | None = None,
    concurrency: int = 1,
) -> BenchPoint:
    empty = Distribution(n=0)
    return BenchPoint(
        mode="concurrency",
        concurrency=concurrency,
        n_requests=10,
        n_ok=10,
        n_invalid=0,
        n_errors=0,
        valid=valid,
        duration_s=10.0,
        ttft_s=empty,
        itl_s=empty,
        tpot_s=empty,
        e2e_s=empty,
        input_tokens=1000,
        output_tokens=500,
        token_source="usage",
        output_tokens_per_s=tok_s,
        total_tokens_per_s=3 * tok_s,
        requests_per_s=rps,
        slo_attainment=None if attained is None else wilson_rate(attained, 10),
    )


def test_blend_is_three_parts_input_to_one_part_output() -> None:
    assert blend(1.0, 5.0) == pytest.approx(2.0)
    assert blend(0.27, 1.10) == pytest.approx((0.81 + 1.10) / 4)


def test_self_hosted_price_follows_measured_throughput() -> None:
    # $3.60/h = $0.001/s; 100 tok/s -> 1e-5 $/tok -> $10 per million; 2 req/s -> $0.0005/task
    row = self_hosted_row(point(100.0, 2.0), 3.6, name="box", source="given", as_of="today")
    assert row.usd_per_mtok_output == pytest.approx(10.0)
    assert row.usd_per_task == pytest.approx(0.0005)
    # 300 tok/s processed in all (input + output) -> a third of the output-only price
    assert row.usd_per_mtok_blended == pytest.approx(10.0 / 3)
    assert "100.0 output tok/s" in row.basis
    assert "input:output 2.0:1" in row.basis
    with pytest.raises(ValueError, match="valid point"):
        self_hosted_row(point(100.0, 2.0, valid=False), 3.6, name="x", source="s", as_of="d")


def test_api_row_prices_the_same_task() -> None:
    prices = {p.id: p for p in load_catalog().api_prices()}
    mini = prices["openai:gpt-4o-mini"]
    row = api_row(mini, task_input=100, task_output=50)
    expected = (100 * mini.usd_per_mtok_in + 50 * mini.usd_per_mtok_out) / 1e6
    assert row.usd_per_task == pytest.approx(expected)
    assert row.usd_per_mtok_blended == pytest.approx(
        blend(mini.usd_per_mtok_in, mini.usd_per_mtok_out)
    )
    assert row.name == "openai:gpt-4o-mini"


def test_api_prices_come_dated_and_sourced_from_the_shared_catalog() -> None:
    prices = load_catalog().api_prices()
    assert {p.provider for p in prices} >= {"openai", "anthropic", "deepseek"}
    assert all(p.source.startswith("https://") for p in prices)


def test_basis_point_is_the_fastest_valid_point_meeting_the_slo() -> None:
    slow = point(50.0, 1.0, attained=10, concurrency=1)
    fast_but_late = point(120.0, 2.0, attained=5, concurrency=4)
    broken = point(500.0, 9.0, valid=False, concurrency=8)
    assert basis_point([slow, fast_but_late, broken], 0.9) is slow
    assert basis_point([slow, fast_but_late, broken], None) is fast_but_late
    assert basis_point([broken], None) is None


def test_bundled_catalogs_are_dated_and_sourced() -> None:
    machines = load_machines()
    assert machines
    assert all(m.source.startswith("https://") and m.usd_per_hour > 0 for m in machines)
    assert len({m.id for m in machines}) == len(machines)


def test_a_bad_catalog_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "prices.toml"
    bad.write_text(
        'schema_version = 1\n[[machine]]\nid = "x"\nname = "x"\ngpus = 1\n'
        'usd_per_hour = -1\nsource = "s"\nas_of = "2026-01-01"\n'
    )
    with pytest.raises(InputError, match=r"prices.toml: machine.0.usd_per_hour"):
        load_machines(bad)
    bad.write_text("not toml [")
    with pytest.raises(InputError, match="TOML"):
        load_machines(bad)
