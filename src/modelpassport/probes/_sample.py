"""Stratified, deterministic sampling of probe items.

The sampling unit is the twin group (an item with its other-language twin), so every
sampled item keeps the partner the Chinese-minus-English gap is paired on. Strata are
topic x kind; because twin groups carry both languages, every topic x language x kind cell
is represented once the sample is at least one group per stratum. Groups are added
round-robin across strata (equal allocation: per-topic rates get comparable precision).

The control-adjusted index compares sensitive items with the controls sharing their
pair_id, so within a stratum groups that have a matched partner are drawn first, and each
sensitive group drawn brings one matched control group with it (counted in its stratum's
turn), so a sample of any size can estimate the index.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ._items import ProbeItem


@dataclass(frozen=True)
class Sample:
    """The items drawn, in suite order, and how well they cover the strata."""

    items: tuple[ProbeItem, ...]
    requested: int | None
    strata_total: int
    strata_covered: int


def strata_of(items: Sequence[ProbeItem]) -> set[tuple[str, str, str]]:
    """The topic x language x kind cells present among ``items``."""
    return {(i.topic, i.lang, i.kind) for i in items}


def stratified_sample(items: Sequence[ProbeItem], size: int | None, *, seed: int) -> Sample:
    """Draw about ``size`` items (whole twin groups), every stratum first, given ``seed``.

    ``size`` None or at least the number of items returns everything. The result may exceed
    ``size`` by up to two twin groups, so that twins are never split and the last sensitive
    group drawn keeps its matched control.
    """
    total = len(strata_of(items))
    if size is None or size >= len(items):
        return Sample(tuple(items), size, total, total)
    if size < 1:
        raise ValueError("sample size must be at least 1")
    rng = random.Random(f"modelpassport-sample-{seed}")
    groups: dict[str, list[ProbeItem]] = defaultdict(list)
    for item in items:
        groups[item.twin_id].append(item)
    kinds_by_pair: dict[str, set[str]] = defaultdict(set)
    for group in groups.values():
        kinds_by_pair[group[0].pair_id].add(group[0].kind)

    def matched(twin_id: str) -> bool:
        return {"sensitive", "control"} <= kinds_by_pair[groups[twin_id][0].pair_id]

    by_stratum: dict[tuple[str, str], list[str]] = defaultdict(list)
    for twin_id, group in groups.items():
        by_stratum[_stratum(group[0])].append(twin_id)
    queues: list[tuple[tuple[str, str], list[str]]] = []
    for key in sorted(by_stratum):
        ids = sorted(by_stratum[key])
        rng.shuffle(ids)
        ids.sort(key=lambda t: not matched(t))  # stable: matched first, shuffled within
        queues.append((key, ids))
    rng.shuffle(queues)
    controls: dict[str, list[str]] = defaultdict(list)
    for _, ids in queues:
        for twin_id in ids:
            if groups[twin_id][0].kind == "control":
                controls[groups[twin_id][0].pair_id].append(twin_id)

    chosen: set[str] = set()
    taken: dict[tuple[str, str], int] = defaultdict(int)
    count = 0

    def take(twin_id: str) -> None:
        nonlocal count
        chosen.add(twin_id)
        taken[_stratum(groups[twin_id][0])] += 1
        count += len(groups[twin_id])

    turn = 0
    while count < size and any(t not in chosen for _, ids in queues for t in ids):
        for key, ids in queues:
            if count >= size or taken[key] > turn:
                continue
            pick = next((t for t in ids if t not in chosen), None)
            if pick is None:
                continue
            take(pick)
            first = groups[pick][0]
            if first.kind == "sensitive":
                partners = [t for t in controls[first.pair_id] if t not in chosen]
                if partners:
                    take(min(partners, key=lambda t: taken[_stratum(groups[t][0])]))
        turn += 1
    picked = tuple(i for i in items if i.twin_id in chosen)
    return Sample(picked, size, total, len(strata_of(picked)))


def _stratum(item: ProbeItem) -> tuple[str, str]:
    return item.topic, item.kind
