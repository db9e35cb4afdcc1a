"""Several passports side by side: one row per headline fact, one column per model.

The first passport is the baseline. A cell is marked as different when its text differs from
the baseline's; for rates and indices, only when the two 95% intervals do not overlap, since
a difference inside the noise is not one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from modelpassport.passport import Estimate, Passport, Rate
from modelpassport.passport.policy import Evidence, Fact, read_evidence

from ._sections import cost_bars, latency_series, topic_heatmap
from ._svg import Bar, bar_chart, interval_chart, line_chart
from ._views import fact_text

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


@dataclass(frozen=True)
class Comparison:
    """Everything the compare page and the Markdown comment show."""

    labels: Sequence[str]
    refs: Sequence[str]
    rows: Sequence[Row]
    charts: Sequence[Markup]
    heatmaps: Sequence[Markup]


def _disjoint(a: Any, b: Any) -> bool:
    ia, ib = getattr(a, "interval", None), getattr(b, "interval", None)
    if ia is None or ib is None:
        return False
    return bool(ia.high < ib.low or ib.high < ia.low)


def _row(label: str, facts: Sequence[Fact[Any]]) -> Row:
    base = facts[0]
    cells = []
    for i, fact in enumerate(facts):
        text = fact_text(fact)
        if i == 0:
            differs = False
        elif isinstance(fact.value, Estimate | Rate) and isinstance(base.value, Estimate | Rate):
            differs = _disjoint(fact.value, base.value)
        else:
            differs = text != fact_text(base)
        cells.append(Cell(text, differs))
    return Row(label, cells)


_FACTS: tuple[tuple[str, Callable[[Evidence], Fact[Any]]], ...] = (
    ("developer", lambda e: e.developer),
    ("country", lambda e: e.country),
    ("licence", lambda e: e.licence),
    ("family", lambda e: e.family),
    ("lineage", lambda e: e.lineage),
    ("lineage matches declaration", lambda e: e.lineage_matches),
    ("scan verdict", lambda e: e.scan_verdict),
    ("worst scan finding", lambda e: e.scan_severity),
    ("narrative index", lambda e: e.index),
    ("zh − en gap", lambda e: e.zh_en_gap),
    ("echo rate, all", lambda e: e.echo_for("all")),
    ("echo rate, en", lambda e: e.echo_for("en")),
    ("echo rate, zh", lambda e: e.echo_for("zh")),
    ("jailbreak rate", lambda e: e.jailbreak),
    ("output tok/s (best valid point)", lambda e: e.throughput),
    ("$ / Mtok self-hosted (blended)", lambda e: e.usd_per_mtok),
)


def _bar(label: str, fact: Fact[Any], series: int) -> Bar:
    value = fact.value
    if value is None or value.value is None:
        return Bar(label, None)
    interval = value.interval
    return Bar(
        label,
        value.value,
        interval.low if interval else None,
        interval.high if interval else None,
        series,
    )


def compare(passports: Sequence[Passport]) -> Comparison:
    """Build the side-by-side view of two or more passports (the first is the baseline)."""
    labels = [_LETTERS[i] for i in range(len(passports))]
    evidence = [read_evidence(p) for p in passports]
    rows = [
        _row(
            "stages ok",
            [
                Fact(", ".join(k for k, v in e.statuses.items() if v == "ok") or "none", "")
                for e in evidence
            ],
        )
    ]
    rows += [_row(label, [get(e) for e in evidence]) for label, get in _FACTS]
    index = [
        _bar(f"{lab}: index", e.index, i)
        for i, (lab, e) in enumerate(zip(labels, evidence, strict=True))
    ]
    index += [
        _bar(f"{lab}: zh−en gap", e.zh_en_gap, i)
        for i, (lab, e) in enumerate(zip(labels, evidence, strict=True))
    ]
    echo = [
        _bar(f"{lab}: echo {lang}", e.echo_for(lang), i)
        for i, (lab, e) in enumerate(zip(labels, evidence, strict=True))
        for lang in ("en", "zh")
    ]
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
        interval_chart("Narrative index and zh−en gap, 95% intervals", index),
        interval_chart("Narrative-flag echo rate by language", echo, zero=False),
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
