"""The decision table: a row per model, a column per headline fact, grouped by stage.

Generic over facts: columns are whatever facts the passports carry (``findings.facts()``),
grouped by the stage that declares them, so a new stage's facts appear with no edit here.
A rate or an estimate is marked best or worst only when its 95% interval does not overlap
another model's (``report.disjoint``); a category is marked where it differs from the
others; a plain number without an interval is never marked, since its noise is unknown.
Charts are chosen by kind: interval charts for every family of rates and estimates, a
capability-against-cost scatter with its Pareto front for every pair of a higher-is-better
capability fact and a cost fact, and cost bars.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from modelpassport.passport import Fact, FactSpec
from modelpassport.policy import Verdict
from modelpassport.report import (
    Bar,
    Point,
    bar_chart,
    disjoint,
    interval_chart,
    pareto_front,
    scatter_chart,
)

Mark = Literal["", "best", "worst", "diff"]
RowStatus = Literal["complete", "incomplete", "failed", "reference"]

GROUP_TITLES = {
    "identity": "Origin, licence and lineage",
    "scan": "Load safety",
    "narratives": "Narrative echo and censorship",
    "security": "Robustness",
    "capability": "Capability",
    "bench": "Speed and cost",
    "campaign": "Price and value",
}
PRICE = FactSpec(
    "campaign.price",
    "Price paid",
    "number",
    "lower",
    unit="$/Mtok",
    description="the campaign file's price, blended 3:1 input:output",
)
_MAX_SCATTERS = 6
_PER_POINT = " per point"


@dataclass(frozen=True)
class Candidate:
    """One model as the table sees it: its facts and how it got there."""

    name: str
    ref: str
    source: str
    status: RowStatus
    note: str
    facts: Sequence[Fact]
    verdict: Verdict | None = None


@dataclass(frozen=True)
class Column:
    """One fact across the models."""

    id: str
    label: str
    unit: str | None
    better: str


@dataclass(frozen=True)
class Group:
    """Columns of one stage, under one heading."""

    stage: str
    title: str
    columns: Sequence[Column]


@dataclass(frozen=True)
class Cell:
    """One model's value for one fact."""

    text: str
    detail: str
    mark: Mark = ""


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one model (fail closed on an unfinished audit)."""

    outcome: Literal["pass", "fail"]
    text: str


@dataclass(frozen=True)
class Row:
    """One model's line of the table."""

    name: str
    ref: str
    source: str
    status: RowStatus
    note: str
    decision: Decision | None
    cells: Sequence[Cell]


@dataclass(frozen=True)
class Chart:
    """One chart with the caption shown above it (an SVG title is only a tooltip)."""

    caption: str
    svg: Markup


@dataclass(frozen=True)
class DecisionTable:
    """Everything the decision page and its Markdown twin show."""

    title: str
    policy: str | None
    groups: Sequence[Group]
    rows: Sequence[Row]
    charts: Sequence[Chart]


def _decision(candidate: Candidate, policy: str | None) -> Decision | None:
    if policy is None:
        return None
    verdict = candidate.verdict
    if candidate.status in ("failed", "incomplete") or verdict is None:
        # Fail closed: a gate that passed on part of an audit would admit what it did not see.
        return Decision("fail", f"not admitted: audit {candidate.status}")
    failed = [r.rule for r in verdict.results if r.outcome == "fail"]
    warned = [r.rule for r in verdict.results if r.outcome == "warn"]
    if failed:
        return Decision("fail", "fail: " + ", ".join(failed))
    return Decision("pass", "pass" + (f" (warnings: {', '.join(warned)})" if warned else ""))


def _ordered(fact: Fact) -> bool:
    return fact.better in ("lower", "higher") and fact.kind in ("rate", "estimate", "number")


def _beats(a: Fact, b: Fact) -> bool:
    """a is better than b beyond the noise: their intervals are disjoint in a's favour."""
    if not disjoint(a, b):
        return False
    va, vb = a.numeric(), b.numeric()
    if va is None or vb is None:
        return False
    return va < vb if a.better == "lower" else va > vb


def _marks(facts: Sequence[Fact | None]) -> list[Mark]:
    present = [f for f in facts if f is not None and not f.missing]
    marks: list[Mark] = ["" for _ in facts]
    if len(present) < 2:
        return marks
    if all(_ordered(f) for f in present):
        for i, fact in enumerate(facts):
            if fact is None or fact.missing or fact.interval is None:
                continue
            better = any(_beats(fact, other) for other in present if other is not fact)
            worse = any(_beats(other, fact) for other in present if other is not fact)
            marks[i] = "best" if better and not worse else "worst" if worse and not better else ""
        return marks
    common, count = Counter(f.text() for f in present).most_common(1)[0]
    if count == len(present):
        return marks
    for i, fact in enumerate(facts):
        if fact is not None and not fact.missing and fact.text() != common:
            marks[i] = "diff"
    return marks


def _columns(candidates: Sequence[Candidate]) -> list[Fact]:
    """One representative fact per id that at least one model carries, in stage order."""
    seen: dict[str, Fact] = {}
    for candidate in candidates:
        for fact in candidate.facts:
            if fact.id.endswith(".status"):
                continue  # a stage's status is the row's status and note, not a column
            if fact.id not in seen or (seen[fact.id].missing and not fact.missing):
                seen[fact.id] = fact
    return [fact for fact in seen.values() if not fact.missing]


def _per_point(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Add 'cost per capability point' facts: every cost fact over every higher-is-better
    capability fact of the same model."""
    out = []
    for c in candidates:
        costs = [f for f in c.facts if _is_cost(f)]
        scores = [f for f in c.facts if _is_capability(f)]
        extra = []
        for cost in costs:
            for score in scores:
                spec = FactSpec(
                    f"campaign.{cost.id.replace('.', '_')}_per_{score.id.replace('.', '_')}",
                    f"{cost.label} per point of {score.label}",
                    "number",
                    "lower",
                    unit=f"{cost.unit}{_PER_POINT}",
                    description="cost divided by the capability score",
                )
                value, points = cost.numeric(), score.numeric()
                if value is None or not points:
                    extra.append(spec.missing("needs both a cost and a positive score"))
                else:
                    extra.append(spec.number(value / points, f"{cost.text()} / {score.text()}"))
        out.append(
            Candidate(c.name, c.ref, c.source, c.status, c.note, [*c.facts, *extra], c.verdict)
        )
    return out


def _is_cost(fact: Fact) -> bool:
    unit = fact.unit or ""
    return (
        fact.kind == "number"
        and fact.better == "lower"
        and "$" in unit
        and not unit.endswith(_PER_POINT)
    )


def _is_capability(fact: Fact) -> bool:
    return fact.stage == "capability" and fact.better == "higher" and fact.kind != "category"


def _family(fact_id: str) -> str:
    return ".".join(fact_id.split(".")[:2])


def _scope(fact: Fact) -> str:
    parts = fact.id.split(".")
    return ".".join(parts[2:]) or "all"


def _interval_charts(candidates: Sequence[Candidate], columns: Sequence[Fact]) -> list[Chart]:
    families: dict[str, list[Fact]] = {}
    for column in columns:
        if column.kind in ("rate", "estimate"):
            families.setdefault(_family(column.id), []).append(column)
    charts = []
    for family, members in families.items():
        ids = [m.id for m in members]
        title_fact = next((m for m in members if m.id == family), members[0])
        bars = []
        for series, c in enumerate(candidates):
            facts = {f.id: f for f in c.facts}
            for fact_id in ids:
                fact = facts.get(fact_id)
                if fact is None:
                    continue
                interval = fact.interval
                label = f"{_scope(fact)} · {c.name}" if len(ids) > 1 else c.name
                bars.append(
                    Bar(
                        label,
                        fact.numeric(),
                        interval.low if interval else None,
                        interval.high if interval else None,
                        series,
                    )
                )
        zero = title_fact.kind == "estimate"
        scope = " by language" if len(ids) > 1 else ""
        caption = f"{title_fact.label}{scope}, 95% intervals"
        charts.append(Chart(caption, interval_chart(caption, bars, zero=zero)))
    return charts


def _scatters(candidates: Sequence[Candidate], columns: Sequence[Fact]) -> list[Chart]:
    costs = [c for c in columns if _is_cost(c)]
    scores = [c for c in columns if _is_capability(c)]
    charts = []
    for score in scores:
        for cost in costs:
            pairs = []
            for c in candidates:
                facts = {f.id: f for f in c.facts}
                x = facts[cost.id].numeric() if cost.id in facts else None
                y = facts[score.id].numeric() if score.id in facts else None
                if x is not None and y is not None:
                    pairs.append((c.name, x, y))
            front = pareto_front([(x, y) for _, x, y in pairs])
            points = [
                Point(name, x, y, on, i)
                for i, ((name, x, y), on) in enumerate(zip(pairs, front, strict=True))
            ]
            caption = f"{score.label} against {cost.label} (Pareto front dashed)"
            svg = scatter_chart(
                caption, points, x_label=f"{cost.label} ({cost.unit})", y_label=score.label
            )
            charts.append(Chart(caption, svg))
    return charts[:_MAX_SCATTERS]


def _cost_bars(candidates: Sequence[Candidate], columns: Sequence[Fact]) -> list[Chart]:
    charts = []
    for column in columns:
        if not _is_cost(column):
            continue
        bars = []
        for series, c in enumerate(candidates):
            fact = next((f for f in c.facts if f.id == column.id), None)
            bars.append(Bar(c.name, fact.numeric() if fact else None, series=series))
        caption = f"{column.label} ({column.unit})"
        charts.append(Chart(caption, bar_chart(caption, bars, unit=column.unit or "")))
    return charts


def build_table(title: str, candidates: Sequence[Candidate], policy: str | None) -> DecisionTable:
    """Lay the candidates' facts out as the decision table, with marks, verdicts and charts."""
    candidates = _per_point(candidates)
    columns = _columns(candidates)
    by_model = [{f.id: f for f in c.facts} for c in candidates]
    marks = {col.id: _marks([facts.get(col.id) for facts in by_model]) for col in columns}
    rows = []
    for i, (c, facts) in enumerate(zip(candidates, by_model, strict=True)):
        cells = []
        for col in columns:
            fact = facts.get(col.id)
            if fact is None:
                cells.append(Cell("not measured", "this passport does not carry this fact"))
            else:
                cells.append(Cell(fact.text(), fact.detail, marks[col.id][i]))
        rows.append(Row(c.name, c.ref, c.source, c.status, c.note, _decision(c, policy), cells))
    groups: dict[str, list[Column]] = {}
    for col in columns:
        groups.setdefault(col.stage, []).append(Column(col.id, col.label, col.unit, col.better))
    charts = [
        *_scatters(candidates, columns),
        *_interval_charts(candidates, columns),
        *_cost_bars(candidates, columns),
    ]
    return DecisionTable(
        title,
        policy,
        [
            Group(stage, GROUP_TITLES.get(stage, stage.capitalize()), cols)
            for stage, cols in groups.items()
        ],
        rows,
        charts,
    )
