"""The load generator: stream requests at a target and time every delta at the client.

Two ways to apply load, as serving benchmarks do:

* closed loop: ``concurrency`` workers each send the next request when their last one ends,
  so the number in flight stays fixed;
* open loop: requests arrive as a Poisson process of mean ``rate`` per second (seeded), each
  sent at its arrival time whether or not earlier ones have finished.

Timing uses ``time.perf_counter`` in this process; nothing here trusts server-side clocks.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from modelpassport.targets import ChatRequest, Target, TargetError, Usage

RequestFactory = Callable[[int], ChatRequest]
"""Builds the i-th request of a run (each one distinct, so no prefix cache can answer it)."""

OnRecord = Callable[["RequestRecord"], None]


@dataclass
class RequestRecord:
    """What the client saw of one streamed request; times are seconds after it was sent."""

    index: int
    request: ChatRequest
    sent_at: float
    deltas_s: list[float] = field(default_factory=list)
    end_s: float | None = None
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    error: str | None = None

    @property
    def received_at(self) -> float:
        """Absolute perf_counter time of the last byte (the send time if nothing came)."""
        return self.sent_at + (self.end_s or 0.0)


@dataclass(frozen=True)
class RunResult:
    """The records of one load level, in send order, with the wall-clock window they span."""

    records: list[RequestRecord]
    started_at: float
    finished_at: float

    @property
    def duration_s(self) -> float:
        """First request sent to last byte received."""
        return max(self.finished_at - self.started_at, 0.0)


async def measure_one(
    target: Target, request: ChatRequest, index: int, timeout_s: float
) -> RequestRecord:
    """Stream one request, stamping every non-empty delta; failures become ``error``.

    A request that does not finish within ``timeout_s`` is an error ("timeout"), as is any
    ``TargetError`` (the endpoint's own error, a dropped connection): never a fast answer.
    """
    record = RequestRecord(index=index, request=request, sent_at=time.perf_counter())
    parts: list[str] = []
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in target.stream(request):
                now = time.perf_counter() - record.sent_at
                if chunk.text:
                    parts.append(chunk.text)
                    record.deltas_s.append(now)
                if chunk.finish_reason is not None:
                    record.finish_reason = chunk.finish_reason
                if chunk.usage is not None:
                    record.usage = chunk.usage
    except TimeoutError:
        record.error = f"timeout: not finished within {timeout_s:g} s"
    except TargetError as exc:
        record.error = f"{exc.kind}: {exc}"
    record.end_s = time.perf_counter() - record.sent_at
    record.text = "".join(parts)
    return record


async def closed_loop(
    target: Target,
    make: RequestFactory,
    *,
    concurrency: int,
    requests: int,
    timeout_s: float,
    on_record: OnRecord | None = None,
) -> RunResult:
    """Keep ``concurrency`` requests in flight until ``requests`` have been sent and finished."""
    if concurrency < 1 or requests < 1:
        raise ValueError("concurrency and requests must be at least 1")
    records: list[RequestRecord] = []
    counter = iter(range(requests))

    async def worker() -> None:
        for index in counter:
            record = await measure_one(target, make(index), index, timeout_s)
            records.append(record)
            if on_record is not None:
                on_record(record)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, requests)):
            group.create_task(worker())
    return _result(records, started)


def poisson_offsets(rate: float, count: int, seed: int) -> list[float]:
    """Arrival times (seconds after the start) of a seeded Poisson process of mean ``rate``/s.

    The first request arrives at 0, so a run's window starts with its first send.
    """
    if not rate > 0 or count < 1:
        raise ValueError("rate must be positive and count at least 1")
    rng = random.Random(seed)
    offsets = [0.0]
    for _ in range(count - 1):
        offsets.append(offsets[-1] + rng.expovariate(rate))
    return offsets


async def open_loop(
    target: Target,
    make: RequestFactory,
    *,
    rate: float,
    requests: int,
    seed: int,
    timeout_s: float,
    on_record: OnRecord | None = None,
) -> RunResult:
    """Send ``requests`` at seeded Poisson arrival times, never waiting for earlier answers.

    Latency is measured from each request's arrival, so queueing anywhere (client limits,
    server queue) shows up in TTFT as it would for a real user.
    """
    offsets = poisson_offsets(rate, requests, seed)
    records: list[RequestRecord] = []

    async def arrive(index: int, at: float) -> None:
        delay = started + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        record = await measure_one(target, make(index), index, timeout_s)
        records.append(record)
        if on_record is not None:
            on_record(record)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index, at in enumerate(offsets):
            group.create_task(arrive(index, at))
    return _result(records, started)


def _result(records: list[RequestRecord], started: float) -> RunResult:
    records.sort(key=lambda r: r.index)
    first = min((r.sent_at for r in records), default=started)
    last = max((r.received_at for r in records), default=first)
    return RunResult(records=records, started_at=first, finished_at=last)
