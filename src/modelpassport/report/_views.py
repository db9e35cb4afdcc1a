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

from modelpassport.passport import Passport
from modelpassport.passport.policy import Evidence, Fact, read_evidence

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


def num(value: Any, digits: int = 2, unit: str = "") -> str:
    """A number for a table cell, or an en dash when absent."""
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}{unit}"


def fact_text(fact: Fact[Any]) -> str:
    """The value of a headline fact, or ``not measured`` when missing."""
    if fact.value is None:
        return "not measured"
    if isinstance(fact.value, bool):
        return "yes" if fact.value else "no"
    if isinstance(fact.value, float):
        return f"{fact.value:.3g}"
    if isinstance(fact.value, str):
        return fact.value
    return fact.detail


def _index_tone(fact: Fact[Any]) -> Tone:
    est = fact.value
    if est is None or est.interval is None:
        return "unknown"
    if est.interval.low > 0.1:
        return "bad"
    return "warn" if est.interval.low > 0 else "good"


_SCAN_TONES: dict[str, Tone] = {"clean": "good", "review": "warn", "unsafe": "bad"}


def _card(
    title: str, fact: Fact[Any], about: str | None = None, *, tone: Tone = "info", fmt: str = "{}"
) -> Card:
    if fact.missing:
        return Card(title, "not measured", fact.detail, "unknown")
    return Card(title, fmt.format(fact_text(fact)), about or fact.detail, tone)


def cards(ev: Evidence) -> list[Card]:
    """The first screen: should we adopt this? Origin, lineage, safety, behaviour, speed, cost."""
    origin = " · ".join(fact_text(f) for f in (ev.developer, ev.country) if not f.missing)
    gap = "" if ev.zh_en_gap.missing else f"; zh−en gap {ev.zh_en_gap.detail}"
    return [
        Card(
            "Origin",
            origin,
            f"licence {fact_text(ev.licence)}; family {fact_text(ev.family)}",
            "info",
        )
        if origin
        else Card("Origin", "not measured", ev.developer.detail, "unknown"),
        _card("Lineage", ev.lineage, tone="good" if ev.lineage_matches.value else "bad"),
        _card(
            "Load safety",
            ev.scan_verdict,
            f"worst finding: {fact_text(ev.scan_severity)}",
            tone=_SCAN_TONES.get(str(ev.scan_verdict.value), "unknown"),
        ),
        _card(
            "Narrative index",
            ev.index,
            f"withheld rate, sensitive items minus matched controls{gap}",
            tone=_index_tone(ev.index),
        ),
        _card("Narrative echo", ev.echo_for("all"), "answers repeating an official-narrative flag"),
        _card("Robustness", ev.jailbreak, "jailbreak success rate"),
        _card("Speed", ev.throughput, fmt="{} output tok/s"),
        _card("Cost", ev.usd_per_mtok, fmt="${} / Mtok"),
    ]


def headline(passport: Passport) -> tuple[Evidence, list[Card]]:
    """Evidence and first-screen cards of one passport."""
    ev = read_evidence(passport)
    return ev, cards(ev)
