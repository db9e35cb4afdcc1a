"""What the report shows, computed from a passport: the first screen's cards, and the view
types the per-section builders (``_sections``) fill.

Views read each section through its JSON form, so a section whose fields have not landed (or
a passport from a thinner stage) renders what it has and a generic view of the rest instead
of failing. Every string here is plain text: escaping is the template's job (autoescape),
and the charts escape their own labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from markupsafe import Markup

from modelpassport.passport import Fact, Passport

from ._svg import Bar

Tone = Literal["good", "warn", "bad", "unknown", "info"]


@dataclass(frozen=True)
class Card:
    """One answer on the first screen: a value, what it rests on, and whether it is a concern."""

    title: str
    value: str
    detail: str
    tone: Tone


@dataclass(frozen=True)
class Table:
    """A plain table of text cells."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Answer:
    """One model answer shown as evidence, with its scores. ``text`` is untrusted."""

    item: str
    lang: str
    kind: str
    outcome: str
    echo: str
    facts: str
    flags: str
    text: str
    think: str | None
    error: str | None


@dataclass
class SectionView:
    """One section of the report: its status, charts, tables, answers and raw data."""

    name: str
    status: str
    reason: str | None
    summary: str
    charts: list[Markup] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    raw: str = ""


def pct(rate: Any) -> str:
    """``37% [28–47%] (n=90)`` from a Rate's JSON, or ``n/a``."""
    if not isinstance(rate, Mapping) or rate.get("value") is None:
        return "n/a"
    text = f"{rate['value']:.0%}"
    interval = rate.get("interval")
    if isinstance(interval, Mapping):
        text += f" [{interval['low']:.0%}–{interval['high']:.0%}]"
    return f"{text} (n={rate.get('n', 0)})"


def estimate_bar(label: str, raw: Any, series: int = 0) -> Bar:
    """An interval-chart bar from an Estimate's or a Rate's JSON (no value: an empty bar)."""
    if not isinstance(raw, Mapping):
        return Bar(label, None)
    interval = raw.get("interval") or {}
    return Bar(label, raw.get("value"), interval.get("low"), interval.get("high"), series)


def num(value: Any, digits: int = 2, unit: str = "") -> str:
    """A number for a table cell, or an en dash when absent."""
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}{unit}"


def tone(fact: Fact) -> Tone:
    """Whether a fact is a concern, judged the same way for every stage's facts.

    Ordinal categories: best value good, worst bad, between warn. Flags where higher is better:
    yes good, no bad. Numbers with ``concern`` thresholds: the interval end most favourable to
    the subject must cross a threshold before the card warns or turns bad.
    """
    if fact.missing:
        return "unknown"
    if fact.order and isinstance(fact.value, str):
        rank = fact.order.index(fact.value)
        return "good" if rank == 0 else "bad" if rank == len(fact.order) - 1 else "warn"
    if fact.kind == "flag" and fact.better == "higher":
        return "good" if fact.value is True else "bad"
    if fact.concern is None or fact.better == "categorical":
        return "info"
    warn, bad = fact.concern
    if fact.better == "lower":
        value = fact.numeric("low")
        assert value is not None
        return "bad" if value > bad else "warn" if value > warn else "good"
    value = fact.numeric("high")
    assert value is not None
    return "bad" if value < bad else "warn" if value < warn else "good"


def cards(facts: Sequence[Fact]) -> list[Card]:
    """The first screen: should we adopt this? One card per fact a section marks as headline."""
    return [
        Card(
            f.label,
            f.text(),
            f.detail or f.method,
            tone(f),
        )
        for f in facts
        if f.card
    ]


def headline(passport: Passport) -> tuple[bool, list[Card]]:
    """Whether the digest holds, and the first-screen cards of one passport."""
    return passport.digest_ok(), cards(passport.findings.facts())
