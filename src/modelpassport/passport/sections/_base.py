"""What every passport section has in common: whether it ran, its facts and its issues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec, status_spec
from .._issues import Issue

SectionStatus = Literal["ok", "skipped", "error"]


class Section(BaseModel):
    """Base of every stage's section.

    A stage that lacks its input is ``skipped`` with a reason; one that failed is ``error``
    with the message. A reader can always tell "not measured" from "measured as zero".

    A subclass declares, as class variables, the stage that fills it (``stage_class``,
    ``"module:Class"``, imported only when the stage runs; None while unimplemented) and its
    headline facts (``FACTS``), and computes their values in ``measured_facts``.
    """

    stage_class: ClassVar[str | None] = None
    FACTS: ClassVar[tuple[FactSpec, ...]] = ()

    status: SectionStatus = "ok"
    reason: str | None = Field(default=None, description="why skipped or what failed")
    method_version: str = Field(default="0", description="version of the method that made it")

    def summary(self) -> str:
        """One line for terminal and report headlines; sections override it."""
        return self.reason or ""

    def measured_facts(self) -> Iterable[Fact]:
        """The facts this section measured (called only when its status is ``ok``)."""
        return ()

    def issues(self) -> list[Issue]:
        """Findings for SARIF and the ML-BOM (none unless the section overrides this)."""
        return []

    def missing_reason(self, stage: str) -> str:
        """Why this section's facts are absent: not run (and why), failed, or not reported."""
        if self.status == "ok":
            return f"{stage} stage ran but did not report this"
        return f"{stage} stage {self.status}: {self.reason or 'no reason given'}"

    @classmethod
    def fact_specs(cls, stage: str) -> tuple[FactSpec, ...]:
        """Every fact this section can carry: its status first, then its declared facts."""
        return (status_spec(stage), *cls.FACTS)

    def facts(self, stage: str) -> list[Fact]:
        """Every declared fact, in declaration order; those not measured say why."""
        specs = self.fact_specs(stage)
        method = f"{stage}@{self.method_version}"
        measured: dict[str, Fact] = {}
        if self.status == "ok":
            for fact in self.measured_facts():
                if fact.id in measured or fact.id not in {s.id for s in specs}:
                    raise ValueError(f"{stage}: fact {fact.id} is undeclared or repeated")
                measured[fact.id] = fact
        status = specs[0].category(self.status, self.reason or "", method=method)
        facts = [status]
        for spec in specs[1:]:
            fact = measured.get(spec.id) or spec.missing(self.missing_reason(stage))
            if fact.value is not None:
                fact = fact.model_copy(
                    update={"method": f"{method}; {fact.method}" if fact.method else method}
                )
            facts.append(fact)
        return facts
