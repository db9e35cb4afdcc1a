"""The narratives stage: ask the suite (or a stratified sample), score, aggregate.

Every request goes through ``stages.ask`` (journaled, resumable). An endpoint error is
recorded as an error on the item, counted, and left out of every rate; it is never scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from modelpassport.passport.sections.narratives import (
    NarrativeItemRecord,
    NarrativeLanguageRate,
    NarrativeMethodology,
    NarrativesSection,
    TierAgreement,
)
from modelpassport.probes import (
    Outcome,
    ProbeItem,
    Suite,
    bundled_suite_path,
    load_suite,
    stratified_sample,
)
from modelpassport.scoring import (
    CALIBRATION_SETS,
    LEXICAL_VERSION,
    Agreement,
    Case,
    LexicalScorer,
    Score,
    Scorer,
    SplitAnswer,
    bundled_calibration_path,
    bundled_measured_path,
    load_calibration,
    load_measured,
    measure,
    split_think,
    twins_of,
)
from modelpassport.stages import StageContext, ask
from modelpassport.targets import ChatRequest, Message, Target

from . import _aggregate as agg
from ._judges import open_local_judge, open_ref_judge
from ._options import NarrativeOptions

METHOD_VERSION = "1.0.0"
LEXICAL_TAG = f"{LexicalScorer.name}@{LEXICAL_VERSION}"
DEFAULT_SUITE = "narratives-v1"
TEXT_LIMIT = 600

INTERVALS = (
    "Rates: Wilson score 95% interval. Sensitive minus matched-control index: Newcombe hybrid "
    "score interval for a difference of independent proportions. Chinese minus English gap: "
    "Newcombe hybrid score interval for paired proportions (twins are paired by twin_id, so "
    "their correlation is used). With several samples per item: percentile bootstrap "
    "resampling whole items (or twin pairs), 2000 rounds, fixed seed."
)
INDEX = (
    "Share of answers withheld (refusal, evasive, or echoing an official-narrative flag) on "
    "sensitive items, minus the same share on the control items matched to them by pair_id. "
    "0 means the model treats the sensitive topics like comparable topics of other states."
)
GAP = (
    "Withheld share on the Chinese twin minus the English twin, over sensitive items whose "
    "twins both have a scored answer."
)


class NarrativesStage:
    """Measures refusal, evasion, narrative echo and fact recall on sensitive topics."""

    name = "narratives"
    needs = "target"
    method_version = METHOD_VERSION
    options_model = NarrativeOptions

    async def run(self, ctx: StageContext) -> NarrativesSection:
        """Ask, score and aggregate; see the module docstring."""
        opts = ctx.settings("narratives", NarrativeOptions)
        suite = load_suite(opts.suite or bundled_suite_path(DEFAULT_SUITE))
        sample = stratified_sample(
            suite.items, ctx.options.sample_for("narratives"), seed=ctx.options.seed
        )
        plan = [(item, s) for item in sample.items for s in range(opts.samples)]
        requests = [self._request(item, s, opts, ctx.options.seed) for item, s in plan]
        # The scorer is opened first, so a bad judge REF fails before any question is asked.
        scorer, judge_target = self._open_scorer(opts, ctx)
        try:
            outcomes = await ask(ctx, requests, label="narratives")
            answered = [
                (item, s, o)
                for (item, s), o in zip(plan, outcomes, strict=True)
                if o.completion is not None
            ]
            twins = twins_of(suite.items)
            cases = [_case(item, o, twins.get((item.lang, item.prompt))) for item, _, o in answered]
            scores = await scorer.score(cases)
        finally:
            if judge_target is not None:
                await judge_target.aclose()
        by_key = {
            (item.id, s): (case, score)
            for (item, s, _), case, score in zip(answered, cases, scores, strict=True)
        }
        records = [
            _record(item, s, o, by_key.get((item.id, s)))
            for (item, s), o in zip(plan, outcomes, strict=True)
        ]
        entries = _entries(sample.items, plan, by_key)
        wrong, wrong_by_lang = agg.wrong_language_rates(entries)
        tag = f"{scorer.name}@{scorer.version}"
        return NarrativesSection(
            suite=suite.name,
            suite_version=suite.version,
            scorer=tag,
            items_in_suite=len(suite.items),
            items_asked=len(sample.items),
            samples_per_item=opts.samples,
            temperature=opts.temperature,
            max_tokens=opts.max_tokens,
            sample_requested=sample.requested,
            strata_total=sample.strata_total,
            strata_covered=sample.strata_covered,
            answers=len(answered),
            errors=sum(o.error is not None for o in outcomes),
            unscored=sum(score.outcome is None for score in scores),
            overall=agg.rates_for("all", entries),
            tables=agg.tables(entries),
            control_adjusted_index=agg.control_adjusted(entries, agg.EVENTS["withheld"]),
            index_components=agg.index_components(entries),
            zh_en_gap=agg.zh_en_gap(entries, agg.EVENTS["withheld"]),
            tier_disagreement=agg.tier_disagreement(entries, LEXICAL_TAG),
            wrong_language=wrong,
            wrong_language_by_lang=[
                NarrativeLanguageRate(lang=lang, rate=r) for lang, r in wrong_by_lang.items()
            ],
            items=records,
            methodology=await _methodology(tag, suite, sample.requested, ctx.options.seed),
        )

    @staticmethod
    def _request(item: ProbeItem, sample: int, opts: NarrativeOptions, seed: int) -> ChatRequest:
        return ChatRequest(
            messages=(Message(role="user", content=item.prompt),),
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
            seed=seed + sample,
        )

    @staticmethod
    def _open_scorer(opts: NarrativeOptions, ctx: StageContext) -> tuple[Scorer, Target | None]:
        """The scorer, and the judge target it talks to (closed by the caller), if any."""
        if opts.scorer == "local":
            return open_local_judge(ctx.journal, timeout_s=ctx.options.timeout_s)
        if opts.scorer == "judge":
            assert opts.judge is not None
            return open_ref_judge(
                opts.judge,
                ctx.journal,
                concurrency=ctx.options.concurrency,
                timeout_s=ctx.options.timeout_s,
                max_tokens=opts.judge_max_tokens,
            )
        return LexicalScorer(), None


def _case(item: ProbeItem, outcome: Outcome, twin: ProbeItem | None) -> Case:
    assert outcome.completion is not None
    return Case(
        item.prompt,
        item.lang,
        item.facts,
        item.flags,
        split_think(outcome.completion.text),
        topic=item.topic,
        state=item.state,
        twin_facts=twin.facts if twin else (),
        twin_flags=twin.flags if twin else (),
    )


def _truncate(text: str | None) -> tuple[str | None, bool]:
    if text is None or len(text) <= TEXT_LIMIT:
        return text, False
    return text[:TEXT_LIMIT] + "…", True


def _record(
    item: ProbeItem, sample: int, outcome: Outcome, scored: tuple[Case, Score] | None
) -> NarrativeItemRecord:
    error = None if outcome.error is None else f"{outcome.error.kind}: {outcome.error.message}"
    split = scored[0].answer if scored else SplitAnswer(None, None)
    score = scored[1] if scored else None
    answer, cut = _truncate(split.answer)
    think, _ = _truncate(split.think)
    return NarrativeItemRecord(
        id=item.id,
        sample=sample,
        topic=item.topic,
        state=item.state,
        lang=item.lang,
        kind=item.kind,
        variant=item.variant,
        outcome=score.outcome if score else None,
        echo=score.echo if score else None,
        facts_recalled=score.facts_recalled if score else 0,
        facts_total=len(item.facts),
        flags_echoed=list(score.flags_echoed) if score else [],
        answer=answer,
        answer_truncated=cut,
        think=think,
        error=error,
        note=score.note if score else None,
        answer_lang=score.answer_lang if score else None,
        lexical_outcome=score.lexical_outcome if score else None,
        lexical_echo=score.lexical_echo if score else None,
    )


def _entries(
    items: Sequence[ProbeItem],
    plan: Sequence[tuple[ProbeItem, int]],
    by_key: dict[tuple[str, int], tuple[Case, Score]],
) -> list[agg.ItemScores]:
    grouped: dict[str, list[Score]] = defaultdict(list)
    for item, s in plan:
        found = by_key.get((item.id, s))
        if found is not None and found[1].outcome is not None:
            grouped[item.id].append(found[1])
    return [agg.ItemScores(item, tuple(grouped[item.id])) for item in items]


def _tier(tier: str, result: Agreement, calibration_set: str | None = None) -> TierAgreement:
    return TierAgreement(
        tier=tier,
        scorer=result.scorer,
        split=result.split,
        n=result.n,
        unscored=result.unscored,
        refusal_f1=result.refusal_f1,
        evasive_f1=result.evasive_f1,
        echo_kappa=result.echo_kappa,
        outcome_accuracy=result.outcome_accuracy,
        echo_recall=result.echo_recall,
        calibration_set=calibration_set,
    )


async def _methodology(
    tag: str, suite: Suite, requested: int | None, seed: int
) -> NarrativeMethodology:
    """Tier agreement on the held-out splits: lexical measured now on both calibration sets
    (deterministic, cheap), the model tiers as stored by bench/calibrate_scorers.py."""
    tiers: list[TierAgreement] = []
    sets = [p for p in map(bundled_calibration_path, CALIBRATION_SETS) if p.is_file()]
    for path in sets:
        result = await measure(LexicalScorer(), load_calibration(path), "test")
        tiers.append(_tier("lexical", result, path.name))
    tiers += [
        _tier(a.scorer.split(":")[0].split("@")[0], a)
        for a in load_measured(bundled_measured_path())
    ]
    sampling = (
        "whole suite"
        if requested is None
        else f"stratified sample of about {requested} items (twin groups, strata topic x "
        f"kind, round-robin, matched controls drawn with sensitive items), seed {seed}"
    )
    return NarrativeMethodology(
        scorer=tag,
        tiers=tiers,
        calibration_set=", ".join(p.name for p in sets) or None,
        intervals=INTERVALS,
        index_definition=INDEX,
        gap_definition=GAP,
        sampling=f"{suite.name} {suite.version}: {sampling}",
    )
