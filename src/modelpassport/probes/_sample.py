"""Stratified, deterministic sampling of probe items.

The sampling unit is the twin group (an item with its other-language twin), so every
sampled item keeps the partner the Chinese-minus-English gap is paired on. Strata are
topic x kind; because twin groups carry both languages, every topic x language x kind cell
is represented once the sample is at least one group per stratum. Groups are then added
round-robin across strata (equal allocation: per-topic rates get comparable precision).
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
    ``size`` by at most one twin group, so that twins are never split.
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
    by_stratum: dict[tuple[str, str], list[str]] = defaultdict(list)
    for twin_id, group in groups.items():
        by_stratum[(group[0].topic, group[0].kind)].append(twin_id)
    queues = []
    for key in sorted(by_stratum):
        ids = sorted(by_stratum[key])
        rng.shuffle(ids)
        queues.append(ids)
    rng.shuffle(queues)
    chosen: set[str] = set()
    count = 0
    while count < size:
        for queue in queues:
            if queue and count < size:
                twin_id = queue.pop(0)
                chosen.add(twin_id)
                count += len(groups[twin_id])
    picked = tuple(i for i in items if i.twin_id in chosen)
    return Sample(picked, size, total, len(strata_of(picked)))
