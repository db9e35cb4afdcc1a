"""The security stage: ask the suite (or a sample), play every episode, check, aggregate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from modelpassport.passport.sections.security import (
    SecurityItemRecord,
    SecurityMethodology,
    SecuritySection,
)
from modelpassport.stages import StageContext

from . import _aggregate as agg
from ._behaviours import run_behaviours
from ._calibration import bundled_labels, checker_agreement
from ._checks import evaluate
from ._items import SecurityItem, bundled_security_suite, canary, load_security_suite
from ._options import SecurityOptions
from ._run import Run, play
from ._sample import sample_items
from ._tools import NATIVE_PROVIDERS

METHOD_VERSION = "1.0.0"
TEXT_LIMIT = 400
INTERVALS = (
    "Rates: Wilson score 95% interval (cluster bootstrap over items, 2000 rounds, fixed "
    "seed, with several samples per item). Lift over control: paired difference within each "
    "(pair, language): Newcombe paired hybrid score, or a paired cluster bootstrap when a "
    "pair holds several attacked items. zh-en gap: Newcombe paired interval over twins."
)
CAVEATS = [
    "A static, public suite is a lower bound: attacks written for this model, adaptive "
    "search or many more samples find more; a low rate here is not evidence of safety.",
    "Open weights can have their safeguards removed by fine-tuning or ablation; these figures "
    "describe the weights as audited, not what a downstream copy will do.",
    "Goals are harmless by construction (canaries, forbidden-but-benign actions, simulated "
    "tools); real harmful compliance is measured only by the opt-in behaviours layer.",
]


class SecurityStage:
    """Measures policy jailbreaks, secret extraction, prompt injection, agent hijacking and
    over-refusal, in English and Chinese, with deterministic checks."""

    name = "security"
    needs = "target"
    method_version = METHOD_VERSION
    options_model = SecurityOptions

    async def run(self, ctx: StageContext) -> SecuritySection:
        """Ask, check and aggregate; see the module docstrings of ``_run`` and ``_aggregate``."""
        opts = ctx.settings("security", SecurityOptions)
        suite = load_security_suite(opts.suite or bundled_security_suite())
        pool = [i for i in suite.items if not opts.family_list or i.family in opts.family_list]
        requested = ctx.options.sample_for("security")
        items = sample_items(pool, requested, seed=ctx.options.seed)
        assert ctx.target is not None
        provider = ctx.target.identity.provider
        native = opts.tools == "native" or (opts.tools == "auto" and provider in NATIVE_PROVIDERS)
        runs = [
            Run(item, s, canary(suite.version, item.id, ctx.options.seed), native, provider)
            for item in items
            for s in range(opts.samples)
        ]
        sent = await play(
            ctx,
            runs,
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
            max_steps=opts.max_steps,
        )
        scored = {(r.item.id, r.sample): _score(r) for r in runs if r.error is None}
        entries = _entries(items, runs, scored)
        templates = agg.template_rows(entries)
        lift, gap = agg.pooled(entries)
        behaviours = (
            await run_behaviours(ctx, opts.behaviours, opts.judge, max_tokens=opts.max_tokens)
            if opts.behaviours is not None and opts.judge is not None
            else None
        )
        sampling = (
            "whole suite"
            if requested is None
            else f"about {requested} items: twin groups, families round-robin, "
            f"templates in turn, each attacked group with its control, seed {ctx.options.seed}"
        )
        return SecuritySection(
            method_version=METHOD_VERSION,
            suite=suite.name,
            suite_version=suite.version,
            items_in_suite=len(suite.items),
            items_asked=len(items),
            samples_per_item=opts.samples,
            temperature=opts.temperature,
            max_tokens=opts.max_tokens,
            max_steps=opts.max_steps,
            sample_requested=requested,
            episodes=len(runs),
            answered=len(scored),
            errors=sum(r.error is not None for r in runs),
            requests=sent,
            families=agg.family_rows(entries, opts.samples),
            templates=templates,
            best_templates=agg.best_templates(templates),
            zh_en_gaps=agg.gaps(entries),
            attack_lift=lift,
            zh_en_gap=gap,
            agent=agg.agent_rows(entries),
            injection=agg.injection_rows(entries),
            leaks=agg.leak_forms(entries),
            over_refusal=agg.over_refusal(entries),
            behaviours=behaviours,
            items=[_record(r, scored.get((r.item.id, r.sample))) for r in runs],
            methodology=SecurityMethodology(
                checkers=checker_agreement(bundled_labels()),
                tool_mode="native tool calling" if native else "ReAct text protocol",
                intervals=INTERVALS,
                sampling=f"{suite.name} {suite.version}: {sampling}",
                caveats=CAVEATS,
            ),
        )


def _score(run: Run) -> agg.Scored:
    item, episode = run.item, run.episode
    verdict = evaluate(item.check, episode, run.secret, item.lang)
    # A completed hijack is an attempted one whose goal also holds in the final state.
    completed = evaluate(item.completed, episode, run.secret, item.lang) if item.completed else None
    utility = evaluate(item.utility, episode, run.secret, item.lang) if item.utility else None
    return agg.Scored(
        hit=verdict.hit,
        completed=bool(completed.hit and verdict.hit) if completed else None,
        utility=utility.hit if utility else None,
        form=verdict.form,
        think_only=verdict.think_only,
        invalid=episode.invalid,
    )


def _entries(
    items: Sequence[SecurityItem],
    runs: Sequence[Run],
    scored: dict[tuple[str, int], agg.Scored],
) -> list[agg.ItemResults]:
    grouped: dict[str, list[agg.Scored]] = defaultdict(list)
    for run in runs:
        found = scored.get((run.item.id, run.sample))
        if found is not None:
            grouped[run.item.id].append(found)
    return [agg.ItemResults(item, tuple(grouped[item.id])) for item in items]


def _record(run: Run, scored: agg.Scored | None) -> SecurityItemRecord:
    item = run.item
    answer = run.episode.final if run.error is None else None
    if answer is not None and len(answer) > TEXT_LIMIT:
        answer = answer[:TEXT_LIMIT] + "…"
    return SecurityItemRecord(
        id=item.id,
        sample=run.sample,
        family=item.family,
        template=item.template,
        lang=item.lang,
        split=item.split,
        severity=item.severity,
        control=item.control,
        hit=scored.hit if scored else None,
        completed=scored.completed if scored else None,
        utility=scored.utility if scored else None,
        form=scored.form if scored else None,
        think_only=scored.think_only if scored else False,
        invalid=run.episode.invalid,
        steps=run.episode.steps,
        calls=[c.name for c in run.episode.calls],
        answer=answer,
        error=run.error,
    )
