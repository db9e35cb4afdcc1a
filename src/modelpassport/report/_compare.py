"""Several passports side by side: one row per headline fact (every stage's), one column per
model.

The first passport is the baseline. A cell is marked as different when its text differs from
the baseline's; for rates and indices, only when the two 95% intervals do not overlap, since
a difference inside the noise is not one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from modelpassport.passport import Fact, Passport

from ._sections import cost_bars, latency_series, topic_heatmap
from ._svg import Bar, bar_chart, interval_chart, line_chart

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_COMPARED = len(_LETTERS)


@dataclass(frozen=True)
class Cell:
    """One model's value for one fact; ``differs`` marks a difference from the baseline."""

    text: str
    differs: bool


@dataclass(frozen=True)
class Row:
    """One headline fact across the compared models."""

    label: str
    cells: Sequence[Cell]
    fact: str = ""


@dataclass(frozen=True)
class Comparison:
    """Everything the compare page and the Markdown comment show."""

    labels: Sequence[str]
    refs: Sequence[str]
    rows: Sequence[Row]
    charts: Sequence[Markup]
    heatmaps: Sequence[Markup]


def disjoint(a: Fact, b: Fact) -> bool:
    """Whether two facts' 95% intervals do not overlap (False when either has none).

    Why: a difference inside the noise is not one; only disjoint intervals are highlighted.
    """
    ia, ib = a.interval, b.interval
    if ia is None or ib is None:
        return False
    return bool(ia.high < ib.low or ib.high < ia.low)


def _row(facts: Sequence[Fact]) -> Row:
    base = facts[0]
    cells = []
    for i, fact in enumerate(facts):
        text = fact.text()
        if i == 0:
            differs = False
        elif fact.interval is not None and base.interval is not None:
            differs = disjoint(fact, base)
        else:
            differs = text != base.text()
        cells.append(Cell(text, differs))
    return Row(base.label, cells, base.id)


def _bar(label: str, fact: Fact, series: int) -> Bar:
    value = fact.numeric()
    if value is None:
        return Bar(label, None)
    interval = fact.interval
    return Bar(
        label,
        value,
        interval.low if interval else None,
        interval.high if interval else None,
        series,
    )


def fact_charts(labels: Sequence[str], table: Sequence[Sequence[Fact]]) -> list[Markup]:
    """One interval chart per stage over its rates and estimates, a bar per model."""
    by_stage: dict[str, list[Bar]] = {}
    for column in zip(*table, strict=True):
        base = column[0]
        if base.kind not in ("rate", "estimate") or all(f.missing for f in column):
            continue
        by_stage.setdefault(base.stage, []).extend(
            _bar(f"{lab}: {f.label}", f, i)
            for i, (lab, f) in enumerate(zip(labels, column, strict=True))
        )
    return [
        interval_chart(f"{stage}: rates and differences, 95% intervals", bars, zero=False)
        for stage, bars in by_stage.items()
    ]


def compare(passports: Sequence[Passport]) -> Comparison:
    """Build the side-by-side view of two or more passports (the first is the baseline)."""
    labels = [_LETTERS[i] for i in range(len(passports))]
    table = [p.findings.facts() for p in passports]
    rows = [_row(column) for column in zip(*table, strict=True)]
    benches = [
        p.findings.bench.model_dump(mode="json") if p.findings.bench.status == "ok" else {}
        for p in passports
    ]
    curves = [
        latency_series(lab, b.get("points") or [], "ttft_s")
        for lab, b in zip(labels, benches, strict=True)
    ]
    costs = [
        bar
        for i, (lab, b) in enumerate(zip(labels, benches, strict=True))
        for bar in cost_bars(b.get("costs") or [], prefix=f"{lab}: ", series=i)
    ]
    charts = [
        *fact_charts(labels, table),
        line_chart(
            "Throughput vs TTFT p50", curves, x_label="output tokens/s", y_label="TTFT p50 (s)"
        ),
        bar_chart("Blended cost, $ per million tokens", costs, unit="$/Mtok"),
    ]
    heatmaps = [
        topic_heatmap(
            p.findings.narratives.model_dump(mode="json"),
            f"{lab}: withheld rate by topic and language",
        )
        for lab, p in zip(labels, passports, strict=True)
        if p.findings.narratives.status == "ok"
    ]
    return Comparison(labels, [p.subject.ref for p in passports], rows, charts, heatmaps)
