"""The metric arithmetic on records with known times: TTFT, ITL, TPOT, throughput, goodput."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelpassport.bench import Level, RunResult, check, count_tokens, distribution, summarise
from modelpassport.bench._honesty import NO_FINISH, SHORT_LENGTH, TOO_LONG
from modelpassport.bench._metrics import wilson_rate
from modelpassport.passport.sections.bench import Slo

from .conftest import record


def run_of(*records: object) -> RunResult:
    items = list(records)
    first = min(r.sent_at for r in items)  # type: ignore[attr-defined]
    last = max(r.received_at for r in items)  # type: ignore[attr-defined]
    return RunResult(records=items, started_at=first, finished_at=last)  # type: ignore[arg-type]


def test_distribution_matches_numpy_linear_percentiles() -> None:
    values = [0.5, 0.1, 0.4, 0.2, 0.3, 1.0]
    got = distribution(values)
    assert got.n == 6
    assert got.p50 == pytest.approx(float(np.percentile(values, 50)))
    assert got.p90 == pytest.approx(0.75)
    assert got.p99 == pytest.approx(0.975)
    assert got.max == 1.0
    assert got.mean == pytest.approx(2.5 / 6)
    assert distribution([]).p50 is None


def test_one_request_gives_exact_ttft_itl_tpot_and_e2e() -> None:
    # first delta at 0.2 s, then every 0.05 s: 5 tokens, stream closes at 0.41 s
    rec = record([0.20, 0.25, 0.30, 0.35, 0.40], end=0.41)
    point = summarise(run_of(rec), Level(concurrency=1), max_tokens=8, slo=Slo(), tokenizer=None)
    assert point.valid
    assert point.ttft_s.p50 == pytest.approx(0.20)
    assert point.itl_s.n == 4
    assert point.itl_s.p50 == pytest.approx(0.05)
    assert point.tpot_s.p50 == pytest.approx((0.41 - 0.20) / 4)
    assert point.e2e_s.p50 == pytest.approx(0.41)
    assert point.output_tokens == 5
    assert point.token_source == "usage"
    assert point.output_tokens_per_s == pytest.approx(5 / 0.41)
    assert point.total_tokens_per_s == pytest.approx(15 / 0.41)
    assert point.requests_per_s == pytest.approx(1 / 0.41)
    assert point.goodput_rps is None
    assert point.slo_attainment is None


def test_throughput_window_runs_from_first_send_to_last_receive() -> None:
    a = record([0.1, 0.2], end=0.2, index=0, sent_at=10.0)
    b = record([0.1, 0.2], end=0.3, index=1, sent_at=10.5)  # ends at 10.8
    point = summarise(run_of(a, b), Level(concurrency=2), max_tokens=8, slo=Slo(), tokenizer=None)
    assert point.duration_s == pytest.approx(0.8)
    assert point.output_tokens_per_s == pytest.approx(4 / 0.8)
    assert point.requests_per_s == pytest.approx(2 / 0.8)


def test_truncated_stream_is_invalid_and_not_averaged_in() -> None:
    good = record([0.1, 0.2, 0.3], end=0.3, index=0)
    cut = record([0.01], end=0.02, index=1, finish=None)  # looks very fast
    point = summarise(
        run_of(good, cut), Level(concurrency=2), max_tokens=8, slo=Slo(), tokenizer=None
    )
    assert not point.valid
    assert point.n_invalid == 1
    assert point.invalid_reasons == {NO_FINISH: 1}
    assert point.ttft_s.n == 1
    assert point.ttft_s.p50 == pytest.approx(0.1)


def test_errors_are_counted_by_kind_and_make_the_point_invalid() -> None:
    good = record([0.1, 0.2], end=0.2, index=0)
    failed = record([], end=5.0, index=1, error="timeout: not finished within 5 s")
    point = summarise(
        run_of(good, failed), Level(rate_rps=2.0), max_tokens=8, slo=Slo(), tokenizer=None
    )
    assert point.mode == "rate"
    assert point.errors == {"timeout": 1}
    assert point.n_ok == 1
    assert not point.valid


def test_length_finish_must_match_max_tokens_when_the_server_counts() -> None:
    short = record([0.1, 0.2, 0.3], end=0.3, finish="length", max_tokens=8)
    assert check(short, count_tokens(short, None), 8) == SHORT_LENGTH
    full = record([0.1] * 8, end=0.9, finish="length", max_tokens=8)
    assert check(full, count_tokens(full, None), 8) is None
    over = record([0.1] * 3, end=0.3, completion=9, max_tokens=8)
    assert check(over, count_tokens(over, None), 8) == TOO_LONG
    odd = record([0.1], end=0.1, finish="content_filter")
    assert check(odd, count_tokens(odd, None), 8) == "finish_reason 'content_filter'"


class WordCounter:
    """A tokenizer stand-in that counts words: enough to check the tolerance rule."""

    def count(self, text: str) -> int:
        return len(text.split())


def test_recounted_tokens_get_a_tolerance_and_estimates_are_labelled() -> None:
    rec = record([0.1] * 20, end=2.0, finish="length", max_tokens=20)
    rec.usage = None
    rec.text = " ".join(["w"] * 19)  # re-count one short of 20: within 10%
    counted = count_tokens(rec, WordCounter())
    assert counted.source == "tokenizer"
    assert check(rec, counted, 20) is None
    rec.text = " ".join(["w"] * 15)
    assert check(rec, count_tokens(rec, WordCounter()), 20) == SHORT_LENGTH
    estimated = count_tokens(rec, None)
    assert estimated.source == "estimated"
    assert estimated.output == 20  # one token per delta
    assert estimated.input == round(len("hello there") / 4)


def test_goodput_and_slo_attainment_count_misses_and_failures() -> None:
    fast = record([0.1, 0.2, 0.3], end=0.3, index=0)
    slow_first = record([0.9, 1.0, 1.1], end=1.1, index=1)
    failed = record([], end=0.1, index=2, error="TransientTargetError: boom")
    slo = Slo(ttft_s=0.5, tpot_s=0.2)
    point = summarise(
        run_of(fast, slow_first, failed),
        Level(concurrency=3),
        max_tokens=8,
        slo=slo,
        tokenizer=None,
    )
    assert point.slo_attainment is not None
    assert (point.slo_attainment.k, point.slo_attainment.n) == (1, 3)
    assert point.goodput_rps == pytest.approx(1 / point.duration_s)


def test_wilson_interval_is_sound_at_the_edges() -> None:
    rate = wilson_rate(10, 10)
    assert rate.value == 1.0
    assert rate.interval is not None
    assert rate.interval.high == pytest.approx(1.0)
    assert rate.interval.low == pytest.approx(0.7225, abs=1e-3)
    assert wilson_rate(0, 0).value is None


@given(
    gaps=st.lists(st.floats(min_value=1e-4, max_value=2.0), min_size=2, max_size=40),
    ttft=st.floats(min_value=1e-4, max_value=5.0),
    tail=st.floats(min_value=0.0, max_value=0.5),
)
def test_itl_and_tpot_add_up_to_the_stream_for_any_timing(
    gaps: list[float], ttft: float, tail: float
) -> None:
    deltas = [ttft]
    for gap in gaps[1:]:
        deltas.append(deltas[-1] + gap)
    end = deltas[-1] + tail
    rec = record(deltas, end=end, max_tokens=64)
    point = summarise(run_of(rec), Level(concurrency=1), max_tokens=64, slo=Slo(), tokenizer=None)
    assert point.itl_s.n == len(deltas) - 1
    assert point.itl_s.mean is not None
    assert point.itl_s.mean * (len(deltas) - 1) == pytest.approx(deltas[-1] - ttft)
    assert point.tpot_s.p50 is not None
    assert point.tpot_s.p50 * (len(deltas) - 1) == pytest.approx(end - ttft)
    assert point.ttft_s.p50 == pytest.approx(ttft)
    assert point.e2e_s.p50 == pytest.approx(end)
