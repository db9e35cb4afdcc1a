"""The suite: every selected pack's items for one seed, and a stratified sample of it."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from ._code import generated_tasks, humaneval_tasks
from ._instruct import instruction_tasks
from ._longctx import long_context_tasks
from ._math import math_tasks
from ._options import CapabilityOptions
from ._task import PACKS, Task
from ._tools import tool_tasks
from ._translate import translation_tasks
from ._verticals import vertical_tasks

SUITE_VERSION = "capability-v1"
_TIER_RANK = {"easy": 0, "standard": 1, "hard": 2}


def build_suite(options: CapabilityOptions, seed: int) -> list[Task]:
    """Every item of the selected packs, reproducible from ``seed`` and the options."""
    size = options.size
    packs = set(options.packs)
    tasks: list[Task] = []
    if "instruction" in packs:
        tasks += instruction_tasks(seed, size, SUITE_VERSION)
    if "math" in packs:
        tasks += math_tasks(seed, size)
    if "code" in packs:
        tasks += generated_tasks(seed, max(1, size // 3))
        if options.humaneval:
            tasks += humaneval_tasks()
    if "tools" in packs:
        tasks += tool_tasks(seed, max(1, size // 2))
    if "long_context" in packs:
        tasks += long_context_tasks(seed, max(1, size // 5), options.lengths)
    if "translation" in packs:
        tasks += translation_tasks(seed, size)
    vertical = [t for t in vertical_tasks(seed, max(1, size // 2)) if t.pack in packs]
    return tasks + vertical


@dataclass(frozen=True)
class Sample:
    """The items asked, and how they were drawn."""

    tasks: list[Task]
    requested: int | None
    strata_total: int
    strata_covered: int


def stratified(tasks: list[Task], n: int | None, seed: int) -> Sample:
    """About ``n`` items, round-robin over packs and their tier x origin strata, twins kept
    together.

    Why: a small sample must still touch every pack and tier (so no pack reads as missing
    and the easy tier is always present), and twins must travel together for the paired
    zh-en gap.
    """
    groups: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        groups[task.twin or task.id].append(task)
    strata: dict[str, list[list[Task]]] = defaultdict(list)
    for group in groups.values():
        strata[group[0].stratum].append(group)
    if n is None or n >= len(tasks):
        return Sample(tasks, n, len(strata), len(strata))
    rng = random.Random(f"capability-sample-{seed}")
    queues = {key: rng.sample(value, len(value)) for key, value in sorted(strata.items())}
    # Each round visits every pack once, taking the pack's strata in turn (easy tier first),
    # so even a small sample touches every pack before any pack gets a second item.
    by_pack: dict[str, list[str]] = defaultdict(list)
    for key in sorted(queues, key=lambda k: (_TIER_RANK.get(k.split("/")[1], 9), k)):
        by_pack[key.split("/")[0]].append(key)
    turn = dict.fromkeys(by_pack, 0)
    chosen: list[list[Task]] = []
    count = 0
    while count < n and any(queues.values()):
        for pack in [p for p in PACKS if p in by_pack]:
            keys = [k for k in by_pack[pack] if queues[k]]
            if not keys or count >= n:
                continue
            key = keys[turn[pack] % len(keys)]
            turn[pack] += 1
            group = queues[key].pop()
            chosen.append(group)
            count += len(group)
    covered = {g[0].stratum for g in chosen}
    picked = {t.id for g in chosen for t in g}
    return Sample([t for t in tasks if t.id in picked], n, len(strata), len(covered))
