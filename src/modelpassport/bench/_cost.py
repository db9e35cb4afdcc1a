"""The cost model: measured throughput and dated list prices turned into dollars per task.

Self-hosted: a machine costs ``usd_per_hour`` whether busy or not, so the measured rate of the
best honest load level sets the price of a token and of a task. Hosted APIs: list prices per
million tokens from the shared catalog (``modelpassport.catalog``), blended 3:1 input:output
as is usual, ``(3 * P_in + P_out) / 4``, and priced for the same task (the bench's mean input
and output tokens per request).
"""

from __future__ import annotations

from modelpassport.catalog import ApiPrice
from modelpassport.passport.sections.bench import BenchPoint, CostRow

SECONDS_PER_HOUR = 3600.0
MILLION = 1e6


def blend(input_price: float, output_price: float) -> float:
    """The 3:1 input:output blended price per million tokens."""
    return (3 * input_price + output_price) / 4


def self_hosted_row(
    point: BenchPoint, usd_per_hour: float, *, name: str, source: str, as_of: str
) -> CostRow:
    """What serving costs at the throughput measured at ``point``.

    All machine time is charged to output tokens in ``usd_per_mtok_output``, or spread over
    every token processed at the measured input:output mix in ``usd_per_mtok_blended`` (the
    counterpart of an API's 3:1 blend when the bench runs a 3:1 mix, as by default); a task
    costs the machine's time divided by the measured requests per second.
    """
    if not point.valid or not point.output_tokens_per_s or not point.requests_per_s:
        raise ValueError("a cost needs a valid point with throughput")
    per_second = usd_per_hour / SECONDS_PER_HOUR
    level = f"concurrency {point.concurrency}" if point.concurrency else f"{point.rate_rps} rps"
    blended = per_second / point.total_tokens_per_s * MILLION if point.total_tokens_per_s else None
    mix = point.input_tokens / point.output_tokens if point.output_tokens else 0.0
    return CostRow(
        kind="self_hosted",
        name=name,
        usd_per_hour=usd_per_hour,
        usd_per_mtok_output=per_second / point.output_tokens_per_s * MILLION,
        usd_per_mtok_blended=blended,
        usd_per_task=per_second / point.requests_per_s,
        basis=(
            f"measured {point.output_tokens_per_s:.1f} output tok/s and "
            f"{point.requests_per_s:.3f} requests/s at {level}, input:output {mix:.1f}:1"
        ),
        source=source,
        as_of=as_of,
    )


def api_row(price: ApiPrice, task_input: float, task_output: float) -> CostRow:
    """A hosted API's list price, blended, and applied to the same task."""
    per_task = (task_input * price.usd_per_mtok_in + task_output * price.usd_per_mtok_out) / MILLION
    return CostRow(
        kind="api",
        name=price.id,
        usd_per_mtok_input=price.usd_per_mtok_in,
        usd_per_mtok_output=price.usd_per_mtok_out,
        usd_per_mtok_blended=blend(price.usd_per_mtok_in, price.usd_per_mtok_out),
        usd_per_task=per_task,
        basis=f"list price; task of {task_input:.0f} input + {task_output:.0f} output tokens",
        source=price.source,
        as_of=price.as_of,
    )


def basis_point(points: list[BenchPoint], slo_target: float | None) -> BenchPoint | None:
    """The load level a cost rests on: the highest honest throughput that meets the SLOs.

    With SLOs set, only points whose attainment reaches ``slo_target`` qualify; "cheaper"
    must mean cheaper at the service level the user asked for.
    """
    usable = [p for p in points if p.valid and p.output_tokens_per_s and p.requests_per_s]
    if slo_target is not None:
        usable = [
            p
            for p in usable
            if p.slo_attainment is None or (p.slo_attainment.value or 0.0) >= slo_target
        ]
    if not usable:
        return None
    return max(usable, key=lambda p: p.output_tokens_per_s or 0.0)
