"""The load generator against a real local HTTP server with exact, configured delays.

The fake server waits ``ttft_s`` before the first content chunk and ``itl_s`` between
chunks; the metrics computed from what the client saw must recover those delays.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable

import pytest

from modelpassport.bench import (
    Level,
    closed_loop,
    measure_one,
    open_loop,
    poisson_offsets,
    summarise,
)
from modelpassport.bench._honesty import NO_FINISH
from modelpassport.passport.sections.bench import Slo
from modelpassport.targets import ChatRequest, Target
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import request

Opener = Callable[..., Target]
TOLERANCE_S = 0.02  # localhost HTTP and scheduling on a shared 2-core machine


def make(index: int) -> ChatRequest:
    return request(f"request {index}", max_tokens=16)


async def test_ttft_itl_tpot_recover_the_configured_delays(open_endpoint: Opener) -> None:
    reply = Reply(chunks=[f"t{i} " for i in range(6)], ttft_s=0.20, itl_s=0.05)
    with FakeOpenAI(default=reply) as server:
        target = open_endpoint(server.base_url)
        run = await closed_loop(target, make, concurrency=1, requests=3, timeout_s=5)
    point = summarise(run, Level(concurrency=1), max_tokens=16, slo=Slo(), tokenizer=None)
    assert point.valid, point.invalid_reasons
    assert point.token_source == "usage"
    assert point.output_tokens == 18
    # The client cannot see a token before the server sends it: the lower bounds are tight.
    # How late tokens arrive depends on the machine's load, so there are no upper bounds:
    # instead TPOT must follow from each request's own TTFT and end.
    assert point.ttft_s.p50 is not None
    assert point.ttft_s.p50 >= 0.20 - 0.002
    assert point.itl_s.n == 15
    assert point.itl_s.p50 is not None
    assert point.e2e_s.p50 is not None
    assert point.e2e_s.p50 >= 0.20 + 5 * 0.05 - 0.002
    for record in run.records:
        assert record.end_s is not None
        # chunk i leaves the server no earlier than TTFT + i gaps (a late one may catch up)
        for i, seen in enumerate(record.deltas_s):
            assert seen >= 0.20 + i * 0.05 - 0.002
        assert record.deltas_s == sorted(record.deltas_s)
        assert record.deltas_s[-1] <= record.end_s
    expected = statistics.median((r.end_s or 0.0) - r.deltas_s[0] for r in run.records) / 5
    assert point.tpot_s.p50 == pytest.approx(expected, rel=1e-6)


async def test_closed_loop_keeps_exactly_the_concurrency_in_flight(open_endpoint: Opener) -> None:
    reply = Reply(chunks=["a ", "b ", "c"], ttft_s=0.1, itl_s=0.05)
    with FakeOpenAI(default=reply) as server:
        target = open_endpoint(server.base_url)
        run = await closed_loop(target, make, concurrency=3, requests=7, timeout_s=5)
    assert [r.index for r in run.records] == list(range(7))
    spans = [(r.sent_at, r.received_at) for r in run.records]
    in_flight = [sum(s <= t < e for s, e in spans) for t, _ in spans]
    assert max(in_flight) == 3
    assert len(server.requests) == 7
    # three waves of ~0.2 s each: 7 requests cannot finish faster than that at concurrency 3
    assert run.duration_s >= 3 * 0.2 - TOLERANCE_S


def test_poisson_arrivals_are_seeded_and_have_the_asked_rate() -> None:
    first = poisson_offsets(4.0, 2000, seed=7)
    assert first == poisson_offsets(4.0, 2000, seed=7)
    assert first != poisson_offsets(4.0, 2000, seed=8)
    assert first[0] == 0.0
    gaps = [b - a for a, b in itertools.pairwise(first)]
    assert statistics.fmean(gaps) == pytest.approx(0.25, rel=0.08)
    # exponential gaps: standard deviation equals the mean
    assert statistics.pstdev(gaps) == pytest.approx(0.25, rel=0.12)
    with pytest.raises(ValueError, match="rate must be positive"):
        poisson_offsets(-1.0, 3, seed=0)


async def test_open_loop_sends_at_arrival_times_without_waiting(open_endpoint: Opener) -> None:
    reply = Reply(chunks=["a ", "b"], ttft_s=1.0, itl_s=0.0)
    with FakeOpenAI(default=reply) as server:
        target = open_endpoint(server.base_url)
        run = await open_loop(target, make, rate=20.0, requests=6, seed=3, timeout_s=5)
    offsets = poisson_offsets(20.0, 6, seed=3)
    sent = [r.sent_at - run.started_at for r in run.records]
    # never early, in arrival order; how late depends on the machine's load
    assert all(s >= o - 0.002 for s, o in zip(sent, offsets, strict=True))
    assert sent == sorted(sent)
    # each answer takes a second: every request goes out before the first answer returns,
    # which a closed loop (waiting for answers) could not do
    assert sent[-1] < min(r.received_at for r in run.records) - run.started_at


async def test_a_server_that_never_answers_times_out(open_endpoint: Opener) -> None:
    with FakeOpenAI(default=Reply(hang=True)) as server:
        target = open_endpoint(server.base_url)
        record = await measure_one(target, make(0), 0, timeout_s=0.3)
    assert record.error is not None
    assert record.error.startswith("timeout")
    assert record.end_s == pytest.approx(0.3, abs=0.1)


async def test_a_stream_cut_half_way_is_an_error(open_endpoint: Opener) -> None:
    reply = Reply(chunks=["a ", "b ", "c ", "d"], drop_after=2)
    with FakeOpenAI(default=reply) as server:
        target = open_endpoint(server.base_url)
        record = await measure_one(target, make(0), 0, timeout_s=5)
    assert record.error is not None
    assert "TransientTargetError" in record.error


async def test_done_without_finish_reason_is_flagged_not_counted(open_endpoint: Opener) -> None:
    def responder(body: dict[str, object]) -> Reply:
        cut = "1" in str(body["messages"])
        return Reply(chunks=["a ", "b ", "c"], finish_reason=None if cut else "stop")

    with FakeOpenAI(responder) as server:
        target = open_endpoint(server.base_url)
        run = await closed_loop(target, make, concurrency=2, requests=3, timeout_s=5)
    point = summarise(run, Level(concurrency=2), max_tokens=16, slo=Slo(), tokenizer=None)
    assert not point.valid
    assert point.invalid_reasons == {NO_FINISH: 1}
    assert point.n_ok == 2
