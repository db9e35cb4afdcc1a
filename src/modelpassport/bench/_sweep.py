"""Run the warm-up, then every load level in turn, keeping each point the moment it is done.

Finished points are appended to ``bench-points.jsonl`` in the output folder as they finish
(one JSON object a line, flushed), so an interrupted or failed sweep keeps the levels it
measured. Points are not resumed on a rerun: timings from two occasions are not one curve.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modelpassport.errors import ModelPassportError
from modelpassport.passport.sections.bench import BenchPoint, Slo
from modelpassport.targets import ChatRequest, Target

from ._loadgen import OnRecord, RequestFactory, RunResult, closed_loop, open_loop
from ._metrics import Level, summarise
from ._tokens import TokenCounter

POINTS_FILE = "bench-points.jsonl"


@dataclass(frozen=True)
class SweepPlan:
    """What to run: load levels, requests per level, and how to judge them."""

    concurrencies: Sequence[int]
    rates: Sequence[float]
    requests: int
    warmup: int
    max_tokens: int
    timeout_s: float
    seed: int
    slo: Slo


@dataclass
class SweepResult:
    """The points measured, in order, and anything the reader must know about the sweep."""

    points: list[BenchPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    errors: int = 0


async def warm_up(
    target: Target, make: RequestFactory, plan: SweepPlan, on_record: OnRecord
) -> None:
    """Send the unmeasured warm-up requests; a failure here ends the bench with its reason.

    An unreachable endpoint, one that never sends a token, or one that errors fails fast
    with the endpoint's own message instead of producing a sweep of failed points.
    """
    if plan.warmup == 0:
        return
    run = await closed_loop(
        target,
        make,
        concurrency=1,
        requests=plan.warmup,
        timeout_s=plan.timeout_s,
        on_record=on_record,
    )
    failed = [r.error for r in run.records if r.error is not None]
    if failed:
        raise ModelPassportError(f"bench warm-up request failed: {failed[0]}")


async def sweep(
    target: Target,
    make: RequestFactory,
    plan: SweepPlan,
    *,
    tokenizer: TokenCounter | None,
    points_file: Path,
    on_record: OnRecord,
) -> SweepResult:
    """Measure every level of ``plan`` (closed-loop concurrencies, then open-loop rates)."""
    result = SweepResult()
    levels = [Level(concurrency=c) for c in plan.concurrencies]
    levels += [Level(rate_rps=r) for r in plan.rates]
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for number, level in enumerate(levels):
        offset = plan.warmup + number * plan.requests
        run = await _run_level(target, make, plan, level, offset, on_record)
        point = summarise(run, level, max_tokens=plan.max_tokens, slo=plan.slo, tokenizer=tokenizer)
        result.points.append(point)
        result.sent += point.n_requests
        result.errors += point.n_errors
        _append(points_file, started, point)
        if point.n_errors == point.n_requests:
            worst = max(point.errors, key=lambda k: point.errors[k])
            result.notes.append(
                f"sweep stopped after {_describe(level)}: every request failed ({worst})"
            )
            break
    return result


async def _run_level(
    target: Target,
    make: RequestFactory,
    plan: SweepPlan,
    level: Level,
    offset: int,
    on_record: OnRecord,
) -> RunResult:
    """One level's run; request numbers continue across levels so no prompt repeats."""

    def shifted(index: int) -> ChatRequest:
        return make(offset + index)

    if level.concurrency is not None:
        return await closed_loop(
            target,
            shifted,
            concurrency=level.concurrency,
            requests=plan.requests,
            timeout_s=plan.timeout_s,
            on_record=on_record,
        )
    assert level.rate_rps is not None
    return await open_loop(
        target,
        shifted,
        rate=level.rate_rps,
        requests=plan.requests,
        seed=plan.seed + offset,
        timeout_s=plan.timeout_s,
        on_record=on_record,
    )


def _describe(level: Level) -> str:
    if level.concurrency is not None:
        return f"concurrency {level.concurrency}"
    return f"rate {level.rate_rps:g} req/s"


def _append(path: Path, started: str, point: BenchPoint) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"sweep_started": started, "point": point.model_dump(mode="json")},
        sort_keys=True,
        ensure_ascii=False,
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
