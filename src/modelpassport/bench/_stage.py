"""The bench stage: speed on the user's own endpoint, its physical limit, and its price."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from modelpassport.catalog import load_catalog, load_machines
from modelpassport.errors import InputError, MissingExtraError, ModelPassportError
from modelpassport.passport import StageName
from modelpassport.passport.sections import Section
from modelpassport.passport.sections.bench import Bandwidth, BenchPoint, BenchSection, CostRow
from modelpassport.passport.sections.bench import BenchSettings as Settings
from modelpassport.stages import Needs, StageContext
from modelpassport.targets import Target

from ._bandwidth import measure_bandwidth, utilisation
from ._cost import api_row, basis_point, self_hosted_row
from ._loadgen import RequestRecord
from ._options import BenchOptions
from ._prompts import PromptMaker
from ._sweep import POINTS_FILE, SweepPlan, sweep, warm_up
from ._tokens import GgufTokenizer

LOOPBACK = ("127.0.0.1", "localhost", "::1")

METHOD_NOTES = (
    "Timed at the client with perf_counter; warm-up requests are excluded; bench requests "
    "are never cached.",
    "TTFT: sent to first non-empty delta. ITL: every gap between deltas. TPOT: (e2e - TTFT) / "
    "(output tokens - 1). Throughput: honest responses over first send to last receive.",
    "A response without a finish_reason, with an unknown one, with no delta, or whose token "
    "count disagrees with max_tokens is invalid; a point with any invalid or failed request "
    "is flagged invalid and not used for costs.",
    "Costs per quality point need a quality score for the same tasks; compare passports that "
    "carry one. Costs per task count this model's tokens; other models' tokenizers differ.",
)


class BenchStage:
    """Load-generate against the subject's target and price what was measured."""

    name: StageName = "bench"
    options_model = BenchOptions
    needs: Needs = "target"
    method_version = "1.0.0"

    async def run(self, ctx: StageContext) -> Section:
        """Warm up, sweep the load levels, then add bandwidth utilisation and the cost table."""
        if ctx.target is None:
            raise ModelPassportError(f"{ctx.ref}: the bench stage needs a target")
        options = ctx.settings("bench", BenchOptions)
        _check_levels(options, ctx.options.concurrency)
        price = _hourly_price(options)
        notes: list[str] = list(METHOD_NOTES)
        if ctx.options.requests_per_s is not None:
            notes.append(
                f"--rps {ctx.options.requests_per_s:g} spaced request starts: "
                "throughput and open-loop rates above it are capped by the client."
            )
        if options.rates:
            notes.append(
                f"Open loop: at most --concurrency {ctx.options.concurrency} requests are in "
                "flight; later arrivals wait in the client and that wait counts in their TTFT."
            )
        if ctx.target.identity.provider == "llamacpp" and max(options.concurrency, default=1) > 1:
            notes.append(
                "In-process llama.cpp runs one generation at a time: above concurrency 1 the "
                "extra requests queue, so TTFT there includes the wait."
            )
        tokenizer = _open_tokenizer(ctx, notes)
        seed = ctx.options.seed if options.seed is None else options.seed
        plan = SweepPlan(
            concurrencies=options.concurrency,
            rates=options.rates,
            requests=options.requests,
            warmup=options.warmup,
            max_tokens=options.max_tokens,
            timeout_s=options.request_timeout_s or ctx.options.timeout_s,
            seed=seed,
            slo=options.slo(),
        )
        make = PromptMaker(options.prompt_tokens, options.max_tokens, tokenizer, seed)
        levels = len(options.concurrency) + len(options.rates)
        ctx.progress.start("bench", options.warmup + levels * options.requests)

        def advance(_: RequestRecord) -> None:
            ctx.progress.advance("bench")

        await warm_up(ctx.target, make, plan, advance)
        result = await sweep(
            ctx.target,
            make,
            plan,
            tokenizer=tokenizer,
            points_file=ctx.options.out_dir / POINTS_FILE,
            on_record=advance,
        )
        ctx.counters["requests"] = ctx.counters.get("requests", 0) + result.sent + plan.warmup
        ctx.counters["errors"] = ctx.counters.get("errors", 0) + result.errors
        notes.extend(result.notes)
        if all(p.n_errors == p.n_requests for p in result.points):
            raise ModelPassportError(
                "bench: every measured request failed (" + "; ".join(_errors(result.points)) + ")"
            )
        bandwidth = _bandwidth(ctx, options, result.points, notes)
        costs = _costs(options, price, result.points, notes)
        return BenchSection(
            settings=Settings(
                concurrencies=list(options.concurrency),
                rates_rps=list(options.rates),
                requests_per_point=options.requests,
                warmup=options.warmup,
                prompt_tokens=options.prompt_tokens,
                max_tokens=options.max_tokens,
                seed=seed,
                request_timeout_s=plan.timeout_s,
                slo=plan.slo,
            ),
            points=result.points,
            bandwidth=bandwidth,
            costs=costs,
            notes=notes,
        )


def _check_levels(options: BenchOptions, limit: int) -> None:
    """Refuse a concurrency the target's own connection limit would silently cap."""
    above = [c for c in options.concurrency if c > limit]
    if above:
        raise InputError(
            f"--option bench.concurrency={','.join(map(str, options.concurrency))}",
            f"expected levels up to --concurrency {limit} (the target's request limit); "
            f"raise --concurrency to at least {max(above)}",
        )


def _open_tokenizer(ctx: StageContext, notes: list[str]) -> GgufTokenizer | None:
    primary = ctx.artifacts.primary if ctx.artifacts is not None else None
    if primary is None:
        notes.append("Token counts without server usage are estimated (no model file given).")
        return None
    try:
        tokenizer = GgufTokenizer(primary)
    except MissingExtraError as exc:
        notes.append(f"Token counts without server usage are estimated ({exc}).")
        return None
    notes.append(
        f"Prompt lengths and missing usage counted with llama.cpp's tokenizer of {primary.name}."
    )
    return tokenizer


def _is_local(target: Target) -> bool:
    if target.identity.provider == "llamacpp":
        return True
    host = urlsplit(target.identity.endpoint or "").hostname
    return host in LOOPBACK


def _bandwidth(
    ctx: StageContext, options: BenchOptions, points: list[BenchPoint], notes: list[str]
) -> Bandwidth | None:
    primary = ctx.artifacts.primary if ctx.artifacts is not None else None
    if not options.bandwidth or primary is None or ctx.target is None:
        return None
    if not _is_local(ctx.target):
        notes.append("Bandwidth utilisation skipped: the endpoint is not on this host.")
        return None
    single = [p for p in points if p.valid and p.concurrency == 1 and p.tpot_s.p50]
    if not single:
        notes.append("Bandwidth utilisation needs a valid concurrency-1 point.")
        return None
    gb_per_s, method = measure_bandwidth()
    decode = 1.0 / (single[0].tpot_s.p50 or 1.0)
    return utilisation(decode, primary.stat().st_size, gb_per_s, method)


@dataclass(frozen=True)
class _HourlyPrice:
    usd_per_hour: float
    name: str
    source: str
    as_of: str


def _hourly_price(options: BenchOptions) -> _HourlyPrice | None:
    """The machine price the user chose, checked before any request is sent."""
    if options.usd_per_hour is not None:
        return _HourlyPrice(
            options.usd_per_hour,
            "self-hosted (given price)",
            "--option bench.usd_per_hour",
            "user-given",
        )
    if options.gpu is None:
        return None
    machines = {m.id: m for m in load_machines()}
    machine = machines.get(options.gpu)
    if machine is None:
        raise InputError(
            f"--option bench.gpu={options.gpu}", f"expected one of {', '.join(sorted(machines))}"
        )
    return _HourlyPrice(machine.usd_per_hour, machine.name, machine.source, machine.as_of)


def _costs(
    options: BenchOptions, price: _HourlyPrice | None, points: list[BenchPoint], notes: list[str]
) -> list[CostRow]:
    """Self-hosted at the best point meeting the SLOs; APIs for the same task size."""
    slo_set = options.slo().model_dump(exclude_none=True) != {}
    valid = basis_point(points, None)
    if valid is None:
        notes.append("No cost table: no valid point.")
        return []
    basis = basis_point(points, options.slo_target) if slo_set else valid
    rows: list[CostRow] = []
    if price is None:
        notes.append("No self-hosted cost: give --option bench.usd_per_hour=X or bench.gpu=ID.")
    elif basis is None:
        notes.append(
            f"No self-hosted cost: no valid point meets the SLOs for {options.slo_target:.0%} "
            "of requests, so no price holds at that service level."
        )
    else:
        rows.append(
            self_hosted_row(
                basis,
                price.usd_per_hour,
                name=price.name,
                source=price.source,
                as_of=price.as_of,
            )
        )
    task = basis or valid
    task_in = task.input_tokens / task.n_ok
    task_out = task.output_tokens / task.n_ok
    prices = load_catalog().api_prices()
    notes.append(
        f"{len(prices)} API list prices from the shared catalog "
        "(catalog/data/families.toml), dated and sourced per row."
    )
    rows.extend(api_row(row, task_in, task_out) for row in prices)
    return rows


def _errors(points: list[BenchPoint]) -> list[str]:
    found: dict[str, int] = {}
    for point in points:
        for kind, count in point.errors.items():
            found[kind] = found.get(kind, 0) + count
    return [f"{kind} x{count}" for kind, count in sorted(found.items())]
