"""From checked items to pack scores, gaps, long-context lengths and vertical readiness."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from modelpassport.passport import Estimate, Rate
from modelpassport.passport.sections.capability import (
    LengthScore,
    LongContext,
    PackScore,
    Readiness,
)
from modelpassport.scoring import difference, paired_difference, rate

from ._task import PACKS, VERTICALS, Task, Verdict


@dataclass(frozen=True)
class Checked:
    """One item's outcome: its verdict (None after an endpoint error) and truncation."""

    task: Task
    verdict: Verdict | None
    truncated: bool = False

    @property
    def passed(self) -> bool | None:
        """None when unanswered; truncated answers are failures."""
        if self.verdict is None:
            return None
        return self.verdict.passed and not self.truncated


def _rate_of(items: Iterable[Checked]) -> Rate:
    return rate([[c.passed] for c in items if c.passed is not None])


def _by(items: Sequence[Checked], key: Callable[[Task], str]) -> dict[str, Rate]:
    groups: dict[str, list[Checked]] = defaultdict(list)
    for c in items:
        groups[key(c.task)].append(c)
    return {k: _rate_of(v) for k, v in sorted(groups.items())}


def zh_en_gap(items: Sequence[Checked]) -> Estimate | None:
    """Chinese minus English accuracy over twin pairs with both answered (paired)."""
    pairs: dict[str, dict[str, bool]] = defaultdict(dict)
    for c in items:
        if c.task.twin and c.passed is not None:
            pairs[c.task.twin][c.task.lang] = c.passed
    both = [([p["zh"]], [p["en"]]) for p in pairs.values() if {"zh", "en"} <= set(p)]
    return paired_difference(both) if both else None


def pack_scores(items: Sequence[Checked]) -> list[PackScore]:
    """One score per pack present, in the canonical pack order."""
    rows = []
    for pack in PACKS:
        mine = [c for c in items if c.task.pack == pack]
        if not mine:
            continue
        answered = [c for c in mine if c.verdict is not None]
        multi = any(len(c.verdict.checks) > 1 for c in answered if c.verdict)
        checks = (
            rate(
                [[ok and not c.truncated for ok in c.verdict.checks] for c in answered if c.verdict]
            )
            if multi
            else None
        )
        rows.append(
            PackScore(
                pack=pack,
                items=len(mine),
                answered=len(answered),
                errors=len(mine) - len(answered),
                accuracy=_rate_of(mine),
                checks=checks,
                by_tier=_by(mine, lambda t: t.tier),
                by_lang=_by(mine, lambda t: t.lang),
                by_origin=_by(mine, lambda t: t.origin),
                zh_en_gap=zh_en_gap(mine),
                truncated=rate([[c.truncated] for c in answered]),
            )
        )
    return rows


def static_minus_generated(items: Sequence[Checked]) -> Estimate | None:
    """Code accuracy on the published set minus the generated functions (English only, so
    the language mix does not confound the comparison)."""
    code = [c for c in items if c.task.pack == "code" and c.task.lang == "en"]
    static = [[c.passed] for c in code if c.task.origin == "static" and c.passed is not None]
    fresh = [[c.passed] for c in code if c.task.origin == "generated" and c.passed is not None]
    if not static or not fresh:
        return None
    return difference(static, fresh)


def long_context(
    items: Sequence[Checked], threshold: float, declared: int | None
) -> LongContext | None:
    """Accuracy by prompt length; the effective context is the longest length that passes
    with every shorter one (a length with no answer does not pass)."""
    by_length: dict[int, list[Checked]] = defaultdict(list)
    for c in items:
        if c.task.pack == "long_context" and c.task.length is not None:
            by_length[c.task.length].append(c)
    if not by_length:
        return None
    lengths, effective, unbroken = [], None, True
    for tokens in sorted(by_length):
        accuracy = _rate_of(by_length[tokens])
        passes = accuracy.value is not None and accuracy.value >= threshold
        lengths.append(LengthScore(tokens=tokens, accuracy=accuracy, passes=passes))
        unbroken = unbroken and passes
        if unbroken:
            effective = tokens
    return LongContext(
        lengths=lengths, threshold=threshold, effective_tokens=effective, declared_tokens=declared
    )


def readiness(packs: Sequence[PackScore], threshold: float) -> list[Readiness]:
    """Ready only when the lower 95% bound clears the threshold; conditional when only the
    point estimate does; otherwise not ready (also when nothing was answered)."""
    rows = []
    for score in packs:
        if score.pack not in VERTICALS:
            continue
        acc = score.accuracy
        if acc.value is not None and acc.interval is not None and acc.interval.low >= threshold:
            label = "ready"
        elif acc.value is not None and acc.value >= threshold:
            label = "conditional"
        else:
            label = "not ready"
        rows.append(
            Readiness(vertical=score.pack, accuracy=acc, threshold=threshold, verdict=label)
        )
    return rows
