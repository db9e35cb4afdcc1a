"""Turn one load level's request records into a passport point: the serving world's metrics.

Definitions follow vLLM's ``bench serve`` and GenAI-Perf, all measured at the client:

* TTFT: request sent to first non-empty delta.
* ITL: every gap between consecutive non-empty deltas (pooled over requests).
* TPOT: per request, (e2e - TTFT) / (output tokens - 1); requests of one token have none.
* e2e: request sent to end of stream.
* throughput: tokens (or requests) of honest responses over first send to last receive.
* goodput: honest requests meeting every SLO, per second; attainment is their share of all
  measured requests (errors and invalid responses count as misses).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from modelpassport.passport import Interval, Rate
from modelpassport.passport.sections.bench import BenchPoint, Distribution, Slo
from modelpassport.scoring import wilson

from ._honesty import check
from ._loadgen import RequestRecord, RunResult
from ._tokens import TokenCount, TokenCounter, combined_source, count_tokens


@dataclass(frozen=True)
class Level:
    """Which load level a run was: a concurrency or a Poisson rate."""

    concurrency: int | None = None
    rate_rps: float | None = None


def distribution(values: Sequence[float]) -> Distribution:
    """n, mean and p50/p90/p99/max of ``values`` (numpy's linear interpolation)."""
    if not values:
        return Distribution(n=0)
    data = np.asarray(values, dtype=np.float64)
    p50, p90, p99 = (float(v) for v in np.percentile(data, [50, 90, 99]))
    return Distribution(
        n=len(values), mean=float(data.mean()), p50=p50, p90=p90, p99=p99, max=float(data.max())
    )


def wilson_rate(k: int, n: int) -> Rate:
    """k of n with its 95% Wilson score interval (sound at small n and at 0 or n)."""
    if n == 0:
        return Rate(k=0, n=0, value=None, interval=None)
    low, high = wilson(k, n)
    return Rate(k=k, n=n, value=k / n, interval=Interval(low=low, high=high, method="wilson"))


def tpot(record: RequestRecord, output_tokens: int) -> float | None:
    """Time per output token after the first, or None for a one-token answer."""
    if output_tokens < 2 or not record.deltas_s or record.end_s is None:
        return None
    return (record.end_s - record.deltas_s[0]) / (output_tokens - 1)


def meets(slo: Slo, ttft: float, per_token: float | None, e2e: float) -> bool:
    """Whether one honest request met every limit set in ``slo``."""
    if slo.ttft_s is not None and ttft > slo.ttft_s:
        return False
    if slo.tpot_s is not None and (per_token is None or per_token > slo.tpot_s):
        return False
    return not (slo.e2e_s is not None and e2e > slo.e2e_s)


def summarise(
    run: RunResult,
    level: Level,
    *,
    max_tokens: int,
    slo: Slo,
    tokenizer: TokenCounter | None,
) -> BenchPoint:
    """The point for one load level: counts, honesty verdicts, distributions, throughput."""
    errors: Counter[str] = Counter()
    invalid: Counter[str] = Counter()
    honest: list[tuple[RequestRecord, TokenCount]] = []
    for record in run.records:
        if record.error is not None:
            errors[record.error.split(":", 1)[0]] += 1
            continue
        tokens = count_tokens(record, tokenizer)
        reason = check(record, tokens, max_tokens)
        if reason is not None:
            invalid[reason] += 1
        else:
            honest.append((record, tokens))
    ttfts: list[float] = []
    itls: list[float] = []
    tpots: list[float] = []
    e2es: list[float] = []
    met = 0
    for record, tokens in honest:
        ttft = record.deltas_s[0]
        e2e = record.end_s or 0.0
        per_token = tpot(record, tokens.output)
        ttfts.append(ttft)
        e2es.append(e2e)
        itls.extend(b - a for a, b in itertools.pairwise(record.deltas_s))
        if per_token is not None:
            tpots.append(per_token)
        met += meets(slo, ttft, per_token, e2e)
    n = len(run.records)
    duration = run.duration_s
    out_tokens = sum(t.output for _, t in honest)
    in_tokens = sum(t.input for _, t in honest)
    has_slo = any(v is not None for v in (slo.ttft_s, slo.tpot_s, slo.e2e_s))
    return BenchPoint(
        mode="concurrency" if level.concurrency is not None else "rate",
        concurrency=level.concurrency,
        rate_rps=level.rate_rps,
        n_requests=n,
        n_ok=len(honest),
        n_invalid=sum(invalid.values()),
        n_errors=sum(errors.values()),
        invalid_reasons=dict(sorted(invalid.items())),
        errors=dict(sorted(errors.items())),
        valid=bool(honest) and len(honest) == n,
        duration_s=duration,
        ttft_s=distribution(ttfts),
        itl_s=distribution(itls),
        tpot_s=distribution(tpots),
        e2e_s=distribution(e2es),
        input_tokens=in_tokens,
        output_tokens=out_tokens,
        token_source=combined_source([t.source for _, t in honest]),
        output_tokens_per_s=_per_s(out_tokens, duration, honest),
        total_tokens_per_s=_per_s(in_tokens + out_tokens, duration, honest),
        requests_per_s=_per_s(len(honest), duration, honest),
        goodput_rps=_per_s(met, duration, honest) if has_slo else None,
        slo_attainment=wilson_rate(met, n) if has_slo else None,
    )


def _per_s(amount: int, duration: float, honest: Sequence[object]) -> float | None:
    if not honest or duration <= 0:
        return None
    return amount / duration
