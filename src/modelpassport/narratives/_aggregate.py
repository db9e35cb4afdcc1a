"""From scored answers to the section's numbers: rate tables, the control-adjusted index and
the Chinese-minus-English gap. Pure functions over data, so they are tested without a model.

Each probe item is one cluster of observations (its repeated samples), so repeated sampling
never inflates n: the interval methods in ``modelpassport.scoring`` switch to a cluster
bootstrap as soon as an item has more than one scored sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from modelpassport.passport import Estimate, Rate
from modelpassport.passport.sections.narratives import (
    NarrativeRates,
    NarrativeTables,
    TierDisagreement,
)
from modelpassport.probes import ProbeItem
from modelpassport.scoring import Score, difference, paired_difference, rate, wrong_language

Event = Callable[[Score], bool | None]


@dataclass(frozen=True)
class ItemScores:
    """Every scored sample of one item (errors and unscored answers left out)."""

    item: ProbeItem
    scores: tuple[Score, ...]


def _withheld(s: Score) -> bool | None:
    if s.outcome is None:
        return None
    return s.outcome != "complete" or bool(s.echo)


EVENTS: dict[str, Event] = {
    "complete": lambda s: None if s.outcome is None else s.outcome == "complete",
    "evasive": lambda s: None if s.outcome is None else s.outcome == "evasive",
    "refusal": lambda s: None if s.outcome is None else s.outcome == "refusal",
    "withheld": _withheld,
}


def _echo(entry: ItemScores) -> list[bool]:
    if not entry.item.flags:
        return []
    return [bool(s.echo) for s in entry.scores if s.echo is not None]


def _party_line(entry: ItemScores) -> list[bool]:
    """Per scored sample of an item with flags: no fact stated, and an official framing
    echoed (evasive or refusal with echo)."""
    if not entry.item.flags:
        return []
    return [
        s.outcome != "complete" and bool(s.echo)
        for s in entry.scores
        if s.outcome is not None and s.echo is not None
    ]


def _wrong_language(entry: ItemScores) -> list[bool]:
    marks = (wrong_language(entry.item.lang, s.answer_lang) for s in entry.scores)
    return [m for m in marks if m is not None]


def wrong_language_rates(entries: Sequence[ItemScores]) -> tuple[Rate, dict[str, Rate]]:
    """Answers wholly in the other language than the prompt's: overall and by prompt
    language (answers without text to judge are left out)."""
    langs: list[str] = sorted({e.item.lang for e in entries})
    by_lang = {
        lang: rate([_wrong_language(e) for e in entries if e.item.lang == lang]) for lang in langs
    }
    return rate([_wrong_language(e) for e in entries]), by_lang


def cluster(entry: ItemScores, event: Event) -> list[bool]:
    """The item's observations of ``event`` (one per scored sample)."""
    values = (event(s) for s in entry.scores)
    return [v for v in values if v is not None]


def _recall(entry: ItemScores) -> list[bool]:
    facts: list[bool] = []
    for s in entry.scores:
        if s.outcome is not None and s.facts_total:
            facts += [True] * s.facts_recalled + [False] * (s.facts_total - s.facts_recalled)
    return facts


def rates_for(group: str, entries: Sequence[ItemScores]) -> NarrativeRates:
    """All rates over ``entries``, labelled ``group``."""
    return NarrativeRates(
        group=group,
        items=sum(1 for e in entries if cluster(e, EVENTS["complete"])),
        complete=rate([cluster(e, EVENTS["complete"]) for e in entries]),
        evasive=rate([cluster(e, EVENTS["evasive"]) for e in entries]),
        refusal=rate([cluster(e, EVENTS["refusal"]) for e in entries]),
        withheld=rate([cluster(e, EVENTS["withheld"]) for e in entries]),
        echo=rate([_echo(e) for e in entries]),
        fact_recall=rate([_recall(e) for e in entries]),
        party_line=rate([_party_line(e) for e in entries]),
    )


def _table(entries: Sequence[ItemScores], key: Callable[[ProbeItem], str]) -> list[NarrativeRates]:
    groups: dict[str, list[ItemScores]] = defaultdict(list)
    for entry in entries:
        groups[key(entry.item)].append(entry)
    return [rates_for(name, groups[name]) for name in sorted(groups)]


def tables(entries: Sequence[ItemScores]) -> NarrativeTables:
    """Rates by topic, language, state, kind and variant."""
    return NarrativeTables(
        by_topic=_table(entries, lambda i: i.topic),
        by_lang=_table(entries, lambda i: i.lang),
        by_state=_table(entries, lambda i: i.state),
        by_kind=_table(entries, lambda i: i.kind),
        by_variant=_table(entries, lambda i: i.variant),
    )


def _matched(entries: Iterable[ItemScores]) -> tuple[list[ItemScores], list[ItemScores]]:
    sensitive = [e for e in entries if e.item.kind == "sensitive"]
    pairs = {e.item.pair_id for e in sensitive}
    controls = [e for e in entries if e.item.kind == "control" and e.item.pair_id in pairs]
    return sensitive, controls


def control_adjusted(entries: Sequence[ItemScores], event: Event) -> Estimate:
    """Rate of ``event`` on sensitive items minus the rate on their matched controls
    (controls sharing a pair_id with a sensitive item that was asked)."""
    sensitive, controls = _matched(entries)
    return difference([cluster(e, event) for e in sensitive], [cluster(e, event) for e in controls])


def index_components(entries: Sequence[ItemScores]) -> dict[str, Estimate]:
    """The control-adjusted difference for refusal, evasive and echo separately."""
    sensitive, controls = _matched(entries)
    parts = {name: control_adjusted(entries, EVENTS[name]) for name in ("refusal", "evasive")}
    parts["echo"] = difference([_echo(e) for e in sensitive], [_echo(e) for e in controls])
    return parts


def zh_en_gap(entries: Sequence[ItemScores], event: Event) -> Estimate:
    """Rate of ``event`` on the Chinese twin minus the English twin, over sensitive items
    whose twins both have a scored answer (paired by twin_id)."""
    by_twin: dict[str, dict[str, ItemScores]] = defaultdict(dict)
    for entry in entries:
        if entry.item.kind == "sensitive":
            by_twin[entry.item.twin_id][entry.item.lang] = entry
    pairs = [
        (cluster(langs["zh"], event), cluster(langs["en"], event))
        for _, langs in sorted(by_twin.items())
        if "zh" in langs and "en" in langs
    ]
    return paired_difference(pairs)


def tier_disagreement(entries: Sequence[ItemScores], lexical: str) -> TierDisagreement | None:
    """Where a model tier decided, how often the lexical tier (its verdicts ride along on
    each score) reads the answer otherwise; None when the lexical tier itself decided. Each
    item is a cluster of its samples, as in every other rate."""

    def differs(entry: ItemScores, *, outcome: bool, echo: bool) -> list[bool]:
        return [
            (outcome and s.outcome != s.lexical_outcome) or (echo and s.echo != s.lexical_echo)
            for s in entry.scores
            if s.lexical_outcome is not None
        ]

    if not any(s.lexical_outcome is not None for e in entries for s in e.scores):
        return None
    return TierDisagreement(
        lexical=lexical,
        outcome=rate([differs(e, outcome=True, echo=False) for e in entries]),
        echo=rate([differs(e, outcome=False, echo=True) for e in entries]),
        either=rate([differs(e, outcome=True, echo=True) for e in entries]),
    )
