"""The capability stage: ask the packs (or a stratified sample), check every answer by code,
score, and price what a passed task costs.

Every request goes through ``stages.ask`` (journaled, resumable). An endpoint error leaves
the item unchecked and out of every rate; an answer cut by the length limit, or whose
reasoning never ends, is a failure and is counted in the truncation rate. Model-written code
runs only in the sandbox (``_sandbox``); if none can be set up the stage fails before asking.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Sequence

from modelpassport.catalog import load_catalog, load_machines
from modelpassport.passport.sections.capability import (
    CapabilityItemRecord,
    CapabilitySection,
    CapabilitySettings,
    CostOption,
    TokenUse,
)
from modelpassport.probes import Outcome
from modelpassport.scoring import rate, split_think
from modelpassport.stages import StageContext, ask
from modelpassport.targets import ChatRequest, Message

from . import _aggregate as agg
from . import _cost as cost
from ._external import read_external
from ._options import CapabilityOptions
from ._sandbox import Sandbox, open_sandbox
from ._suite import SUITE_VERSION, build_suite, stratified
from ._task import Answer, Task, Verdict, verdict

METHOD_VERSION = "1.0.0"
TEXT_LIMIT = 400
_HOSTED = re.compile(r"^(openai|deepseek|anthropic|google):(.+)$")
NOTES = [
    "Every answer is checked by code (numbers, dates, JSON, verifiable constraints, tests run "
    "in a sandbox); no model judges another.",
    "Strict accuracy: an item passes only when all its checks pass; 'checks' is the loose "
    "per-check rate (cluster bootstrap over items).",
    "Static sets (HumanEval) and freshly generated items are reported apart; static minus "
    "generated is a contamination signal, not proof.",
    "Vertical readiness reads accuracy on templated tasks against a threshold: it is not "
    "clinical, legal or financial validation.",
    "Tool calling uses an original pack through native tool calls; the BFCL package was not "
    "used (its dependency tree is too heavy for an offline audit).",
    "Generated code ran in a bubblewrap sandbox: no network, read-only system, throw-away "
    "directory, CPU/memory/file/process limits, unprivileged user.",
]


class CapabilityStage:
    """Measures task ability pack by pack, and the cost of a passed task."""

    name = "capability"
    needs = "target"
    method_version = METHOD_VERSION
    options_model = CapabilityOptions

    async def run(self, ctx: StageContext) -> CapabilitySection:
        """Ask, check, aggregate and price; see the module docstring."""
        opts = ctx.settings("capability", CapabilityOptions)
        seed = ctx.options.seed
        price = _hourly(opts, ctx)
        external = [row for path in opts.external for row in read_external(path)]
        suite = build_suite(opts, seed)
        sample = stratified(suite, ctx.options.sample_for("capability"), seed)
        tasks = sample.tasks
        # The sandbox is proven before any question is asked: no sandbox, no code pack.
        sandbox = await open_sandbox() if any(t.program for t in tasks) else None
        requests = [_request(t, opts) for t in tasks]
        started = time.perf_counter()
        outcomes = await ask(ctx, requests, label="capability")
        wall = time.perf_counter() - started
        checked = await _check_all(tasks, outcomes, sandbox)
        packs = agg.pack_scores(checked)
        answered = [c for c in checked if c.verdict is not None]
        records = [_record(c, o) for c, o in zip(checked, outcomes, strict=True)]
        items = _item_costs(checked, outcomes)
        all_fresh = not any(o.cached for o in outcomes)
        notes = list(NOTES)
        costs = _costs(items, price, ctx, opts, wall if all_fresh else None, notes)
        estimated = sum(r.tokens_estimated for r in records if r.error is None)
        return CapabilitySection(
            method_version=METHOD_VERSION,
            settings=CapabilitySettings(
                suite_version=SUITE_VERSION,
                packs=list(opts.packs),
                seed=seed,
                sample_requested=sample.requested,
                items_in_suite=len(suite),
                items_asked=len(tasks),
                threshold=opts.threshold,
                concurrency=ctx.options.concurrency,
            ),
            overall=rate([[c.passed] for c in answered if c.passed is not None]),
            packs=packs,
            zh_en_gap=agg.zh_en_gap(checked),
            static_minus_generated=agg.static_minus_generated(checked),
            truncation=rate([[c.truncated] for c in answered]),
            long_context=agg.long_context(checked, opts.threshold, opts.declared_context),
            readiness=agg.readiness(packs, opts.threshold),
            tokens=TokenUse(
                prompt=sum(i.prompt_tokens for i in items),
                completion=sum(i.completion_tokens for i in items),
                basis="estimated"
                if items and estimated == len(items)
                else "mixed"
                if estimated
                else "usage",
                estimated_items=estimated,
            ),
            costs=costs,
            items=records,
            external=external,
            notes=notes,
        )


def _request(task: Task, opts: CapabilityOptions) -> ChatRequest:
    return ChatRequest(
        messages=(Message(role="user", content=task.prompt),),
        max_tokens=max(1, math.ceil(task.max_tokens * opts.max_tokens_scale)),
        temperature=0.0,
        seed=0,
        tools=task.tools,
    )


async def _check_all(
    tasks: Sequence[Task], outcomes: Sequence[Outcome], sandbox: Sandbox | None
) -> list[agg.Checked]:
    async def one(task: Task, outcome: Outcome) -> agg.Checked:
        completion = outcome.completion
        if completion is None:
            return agg.Checked(task, None)
        split = split_think(completion.text)
        truncated = split.unterminated or completion.finish_reason == "length"
        answer = Answer(split.answer or "", tuple(completion.tool_calls))
        if split.unterminated:
            return agg.Checked(task, verdict(False, note="reasoning never ended"), True)
        return agg.Checked(task, await _judge(task, answer, sandbox), truncated)

    return list(await asyncio.gather(*(one(t, o) for t, o in zip(tasks, outcomes, strict=True))))


async def _judge(task: Task, answer: Answer, sandbox: Sandbox | None) -> Verdict:
    if task.check is not None:
        return task.check(answer)
    assert task.program is not None
    assert sandbox is not None
    program = task.program(answer)
    if program is None:
        return verdict(False, note="no function definition in the answer")
    result = await sandbox.run(program)
    note = "" if result.passed else f"{result.status}: {result.tail.strip()[-160:]}"
    return verdict(result.passed, note=note)


def _truncate(text: str | None) -> str | None:
    if text is None or len(text) <= TEXT_LIMIT:
        return text
    return text[:TEXT_LIMIT] + "…"


def _record(checked: agg.Checked, outcome: Outcome) -> CapabilityItemRecord:
    task, result = checked.task, checked.verdict
    completion = outcome.completion
    error = None if outcome.error is None else f"{outcome.error.kind}: {outcome.error.message}"
    usage = completion.usage if completion else None
    estimated = usage is not None and (usage.prompt is None or usage.completion is None)
    answer = None
    if completion is not None:
        answer = split_think(completion.text).answer
        if completion.tool_calls:
            answer = f"{answer or ''} [tool calls: {completion.tool_calls}]"
    return CapabilityItemRecord(
        id=task.id,
        pack=task.pack,
        tier=task.tier,
        lang=task.lang,
        origin=task.origin,
        family=task.family,
        passed=checked.passed,
        checks_passed=sum(result.checks) if result else 0,
        checks_total=len(result.checks) if result else 0,
        truncated=checked.truncated,
        note=_truncate(result.note) if result and result.note else None,
        answer=_truncate(answer),
        error=error,
        prompt_tokens=usage.prompt if usage else None,
        completion_tokens=usage.completion if usage else None,
        tokens_estimated=estimated,
        seconds=completion.timing.total_s if completion else None,
    )


def _item_costs(checked: Sequence[agg.Checked], outcomes: Sequence[Outcome]) -> list[cost.ItemCost]:
    items = []
    for c, o in zip(checked, outcomes, strict=True):
        if o.completion is None or c.passed is None:
            continue
        usage = o.completion.usage
        prompt = usage.prompt if usage.prompt is not None else cost.estimate_tokens(c.task.prompt)
        completion = (
            usage.completion
            if usage.completion is not None
            else cost.estimate_tokens(o.completion.text)
        )
        items.append(
            cost.ItemCost(
                prompt_tokens=prompt,
                completion_tokens=completion,
                estimated=usage.prompt is None or usage.completion is None,
                seconds=o.completion.timing.total_s,
                passed=c.passed,
            )
        )
    return items


def _hourly(opts: CapabilityOptions, ctx: StageContext) -> cost.Hourly | None:
    """The machine price: given, named, or (for a model run in process) the catalog's
    cheapest CPU-only machine as a labelled default; checked before any request."""
    if opts.usd_per_hour is not None:
        return cost.Hourly(
            opts.usd_per_hour,
            "self-hosted (given price)",
            "--option capability.usd_per_hour",
            "given",
        )
    machines = {m.id: m for m in load_machines()}
    if opts.gpu is not None:
        machine = machines[opts.gpu]  # the option validator checked the id
        return cost.Hourly(machine.usd_per_hour, machine.name, machine.source, machine.as_of)
    if ctx.target is not None and ctx.target.identity.provider == "llamacpp":
        cpu = [m for m in machines.values() if m.gpus == 0]
        if cpu:
            m = min(cpu, key=lambda m: m.usd_per_hour)
            return cost.Hourly(
                m.usd_per_hour, f"{m.name} (default for an in-process model)", m.source, m.as_of
            )
    return None


def _costs(
    items: list[cost.ItemCost],
    price: cost.Hourly | None,
    ctx: StageContext,
    opts: CapabilityOptions,
    wall: float | None,
    notes: list[str],
) -> list[CostOption]:
    del opts
    rows: list[CostOption | None] = []
    if any(i.estimated for i in items):
        notes.append("Some token counts are estimated (the server reported no usage).")
    if price is not None:
        rows.append(
            cost.self_hosted(items, price, wall_s=wall, concurrency=ctx.options.concurrency)
        )
    else:
        notes.append(
            "No self-hosted cost: give --option capability.usd_per_hour=X or capability.gpu=ID."
        )
    hosted = _HOSTED.match(ctx.ref or "")
    catalog = load_catalog()
    if hosted:
        own = catalog.price(hosted.group(1), hosted.group(2))
        if own is not None:
            rows.append(cost.api(items, own, reference=False))
        else:
            notes.append(f"No list price in the catalog for {ctx.ref}.")
    elif price is not None:
        rows += [cost.api(items, p, reference=True) for p in catalog.api_prices()]
    return [r for r in rows if r is not None]
