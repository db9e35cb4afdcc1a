"""Deterministic sampling of the security suite.

The unit is the twin group (an item and its other-language twin), so the zh-en gap stays
paired. Families are visited round-robin and, within a family, templates in turn, so a small
sample still covers every family and many templates; an attacked group brings the clean
control of its pair with it, so the lift over control is estimable at any size.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from ._items import FAMILIES, SecurityItem


def sample_items(
    items: Sequence[SecurityItem], size: int | None, *, seed: int
) -> tuple[SecurityItem, ...]:
    """About ``size`` items (whole twin groups, controls included), in suite order.

    ``size`` None, or at least the suite, returns every item. The result may exceed ``size``
    by one twin group and its control.
    """
    if size is None or size >= len(items):
        return tuple(items)
    if size < 1:
        raise ValueError("sample size must be at least 1")
    rng = random.Random(f"modelpassport-security-{seed}")
    groups: dict[str, list[SecurityItem]] = defaultdict(list)
    for item in items:
        groups[item.twin_id].append(item)
    controls = {g[0].pair_id: t for t, g in groups.items() if g[0].control}
    strata: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for twin, group in groups.items():
        if not group[0].control:
            strata[group[0].family][group[0].template].append(twin)
    queues: dict[str, list[list[str]]] = {}
    for family, templates in strata.items():
        cells = [templates[t] for t in sorted(templates)]
        for cell in cells:
            rng.shuffle(cell)
        rng.shuffle(cells)
        queues[family] = cells
    chosen: list[str] = []
    taken: set[str] = set()
    turn: dict[str, int] = defaultdict(int)

    def take(twin: str) -> None:
        if twin not in taken:
            taken.add(twin)
            chosen.append(twin)

    count = 0
    while count < size and any(any(c) for c in queues.values()):
        for family in FAMILIES:
            cells = [c for c in queues.get(family, []) if c]
            if not cells or count >= size:
                continue
            cell = cells[turn[family] % len(cells)]
            turn[family] += 1
            twin = cell.pop()
            take(twin)
            control = controls.get(groups[twin][0].pair_id)
            if control is not None:
                take(control)
            count = sum(len(groups[t]) for t in chosen)
    keep = set(chosen)
    return tuple(i for i in items if i.twin_id in keep)
