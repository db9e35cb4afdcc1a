"""Headline facts: the few numbers and labels of a section that people and gates act on.

Each section declares its facts once (``FactSpec``: a stable id such as
``narratives.echo_rate.zh``, a label, a unit, and what "better" means) and computes their values
from its own typed fields, so mypy checks every access inside the section that owns the field.
Policy, report cards, ``compare``, the ML-BOM and ``modelpassport facts`` read only facts: a new
stage shows up everywhere by declaring its own.

A fact is *missing* when its value is None; ``detail`` then says why (the stage was skipped,
failed, or did not report it). Missing is never zero and never safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ._measure import Estimate, Interval, Rate

Better = Literal["lower", "higher", "categorical"]
FactKind = Literal["rate", "estimate", "number", "category", "flag"]
FactValue = float | str | bool

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Fact(BaseModel):
    """One headline fact of a passport, with the evidence it rests on."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="stable id, STAGE.NAME[.SCOPE], e.g. narratives.echo_rate.zh")
    label: str
    kind: FactKind
    better: Better = Field(description="lower, higher, or categorical (no order of merit)")
    unit: str | None = None
    value: FactValue | None = Field(description="None when the passport lacks this fact")
    k: int | None = Field(default=None, description="events, for a rate")
    n: int | None = Field(default=None, description="observations the value rests on")
    interval: Interval | None = None
    method: str = Field(default="", description="stage method version and how it was computed")
    detail: str = Field(default="", description="the evidence, or why the fact is missing")
    order: tuple[str, ...] = Field(
        default=(), description="for ordinal categories: the values from best to worst"
    )
    card: bool = Field(default=False, description="shown on the report's first screen")
    concern: tuple[float, float] | None = Field(
        default=None, description="(warn, bad) thresholds for the report's colour"
    )

    @property
    def missing(self) -> bool:
        """True when the passport does not carry this fact."""
        return self.value is None

    @property
    def stage(self) -> str:
        """The stage whose section declares this fact."""
        return self.id.split(".", 1)[0]

    def numeric(self, end: Literal["point", "low", "high"] = "point") -> float | None:
        """The value as a number (an ordinal category as its rank), or an end of its interval.

        Why: threshold rules compare numbers; ``end`` lets a strict gate judge by the end of
        the 95% interval that is worse for the subject, so a small sample cannot pass on luck.
        """
        if self.value is None:
            return None
        if isinstance(self.value, str):
            return float(self.order.index(self.value)) if self.value in self.order else None
        if isinstance(self.value, bool):
            return float(self.value)
        if end != "point" and self.interval is not None:
            return self.interval.low if end == "low" else self.interval.high
        return float(self.value)

    def text(self) -> str:
        """The value for people: ``37% [28–47%] (n=90)``, ``62.1 tok/s``, ``yes``, or
        ``not measured``."""
        value = self.value
        if value is None:
            return "not measured"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str):
            return value
        if self.kind == "rate":
            text = f"{value:.0%}"
            if self.interval is not None:
                text += f" [{self.interval.low:.0%}–{self.interval.high:.0%}]"
            return text + (f" (n={self.n})" if self.n is not None else "")
        if self.kind == "estimate":
            text = f"{value:+.3f}"
            if self.interval is not None:
                text += f" [{self.interval.low:+.3f}, {self.interval.high:+.3f}]"
            return text + (f" (n={self.n})" if self.n is not None else "")
        unit = f" {self.unit}" if self.unit else ""
        return f"{value:.3g}{unit}"


@dataclass(frozen=True)
class FactSpec:
    """The declaration of one fact: everything about it except its value.

    Sections list their specs in ``FACTS``; the list is what policies are validated against,
    so a policy naming a fact this version cannot produce is an error, not a silent pass.
    ``card`` puts the fact on the report's first screen; ``concern`` = (warn, bad) thresholds
    that colour its card, applied to the end of the 95% interval most favourable to the
    subject, so a card only turns red when the evidence is clear.
    """

    id: str
    label: str
    kind: FactKind
    better: Better
    unit: str | None = None
    description: str = ""
    order: tuple[str, ...] = ()
    card: bool = False
    concern: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"fact id {self.id!r}: expected STAGE.NAME[.SCOPE] in lower case")
        if self.order and self.kind != "category":
            raise ValueError(f"fact {self.id}: only a category can be ordinal")

    @property
    def stage(self) -> str:
        """The stage whose section declares this fact."""
        return self.id.split(".", 1)[0]

    def _fact(
        self,
        value: FactValue | None,
        detail: str,
        *,
        k: int | None = None,
        n: int | None = None,
        interval: Interval | None = None,
        method: str = "",
    ) -> Fact:
        return Fact(
            id=self.id,
            label=self.label,
            kind=self.kind,
            better=self.better,
            unit=self.unit,
            value=value,
            k=k,
            n=n,
            interval=interval,
            method=method,
            detail=detail,
            order=self.order,
            card=self.card,
            concern=self.concern,
        )

    def missing(self, reason: str) -> Fact:
        """This fact, absent, with why."""
        return self._fact(None, reason)

    def rate(self, rate: Rate | None, detail: str = "", *, method: str = "") -> Fact:
        """A rate fact (k/n with its interval); missing when there is no rate or n is 0."""
        if rate is None or rate.value is None:
            return self.missing(detail or "no observations")
        method = method or (rate.interval.method if rate.interval else "")
        return self._fact(
            rate.value, detail, k=rate.k, n=rate.n, interval=rate.interval, method=method
        )

    def estimate(self, est: Estimate | None, detail: str = "") -> Fact:
        """A difference or statistic with its interval; missing when not estimable."""
        if est is None or est.value is None:
            return self.missing(detail or "not estimable")
        return self._fact(est.value, detail, n=est.n, interval=est.interval, method=est.method)

    def number(
        self, value: float | None, detail: str = "", *, n: int | None = None, method: str = ""
    ) -> Fact:
        """A plain measured number (throughput, price)."""
        if value is None:
            return self.missing(detail or "not measured")
        return self._fact(float(value), detail, n=n, method=method)

    def category(self, value: str | None, detail: str = "", *, method: str = "") -> Fact:
        """A label (a country code, a verdict); for ordinal facts it must be one of ``order``."""
        if value is None or value == "":
            return self.missing(detail or "not determined")
        if self.order and value not in self.order:
            raise ValueError(f"fact {self.id}: {value!r} is not one of {self.order}")
        return self._fact(value, detail, method=method)

    def flag(self, value: bool | None, detail: str = "", *, method: str = "") -> Fact:
        """A yes/no fact."""
        if value is None:
            return self.missing(detail or "not determined")
        return self._fact(value, detail, method=method)


def status_spec(stage: str) -> FactSpec:
    """The fact every section has: whether its stage ran (``ok``), was skipped, or failed."""
    return FactSpec(
        f"{stage}.status",
        f"{stage} stage",
        "category",
        "categorical",
        description="ok, skipped or error",
    )
