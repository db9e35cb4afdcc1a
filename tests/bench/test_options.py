"""Bench options: parsed from --option strings; bad values name the option."""

from __future__ import annotations

import pytest

from modelpassport.bench import BenchOptions
from modelpassport.errors import InputError
from modelpassport.stages import parse_stage_options


def _parse(raw: dict[str, str]) -> BenchOptions:
    return parse_stage_options("bench", BenchOptions, raw)


def test_defaults_make_a_short_bench() -> None:
    options = _parse({})
    assert options.concurrency == (1, 2)
    assert options.rates == ()
    assert options.requests * len(options.concurrency) <= 16
    assert options.max_tokens <= 64


def test_lists_and_numbers_are_parsed_from_strings() -> None:
    options = _parse(
        {"concurrency": "4, 1,2,2", "rates": "0.5,2", "usd_per_hour": "2.5", "slo_ttft_s": "0.3"}
    )
    assert options.concurrency == (1, 2, 4)
    assert options.rates == (0.5, 2.0)
    assert options.usd_per_hour == 2.5
    assert options.slo().ttft_s == 0.3


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("concurrency", "0", "every concurrency must be at least 1"),
        ("concurrency", "two", "valid integer"),
        ("rates", "-1", "positive number of requests per second"),
        ("requests", "0", "greater than or equal to 1"),
        ("usd_per_hour", "-3", "greater than 0"),
    ],
)
def test_bad_values_fail_with_the_option_named(key: str, value: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        _parse({key: value})
    message = str(caught.value)
    assert message.startswith(f"--option bench.{key}={value}: expected")
    assert expected in message


def test_an_unknown_setting_lists_the_known_ones() -> None:
    with pytest.raises(
        InputError, match=r"--option bench.colour: expected one of bench.concurrency"
    ):
        _parse({"colour": "blue"})


def test_a_bench_with_no_load_level_is_refused() -> None:
    with pytest.raises(InputError, match="at least one load level"):
        _parse({"concurrency": ""})
