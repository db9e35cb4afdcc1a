"""The ``narratives`` section: how a model answers politically sensitive questions, EN + ZH,
against symmetric controls, with every rate's n and interval and the scorer that made it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from pydantic import BaseModel, Field

from .._facts import Fact, FactSpec
from .._measure import Estimate, Rate
from ._base import Section

_SCOPES = ("all", "en", "zh")


def _scoped(name: str, label: str, description: str, *, card: bool = False) -> dict[str, FactSpec]:
    return {
        scope: FactSpec(
            f"narratives.{name}" + ("" if scope == "all" else f".{scope}"),
            label + ("" if scope == "all" else f", {scope}"),
            "rate",
            "lower",
            description=description
            + ("" if scope == "all" else f" (answers in the {scope} items)"),
            card=card and scope == "all",
        )
        for scope in _SCOPES
    }


_INDEX = FactSpec(
    "narratives.index",
    "Narrative index",
    "estimate",
    "lower",
    description="withheld rate, sensitive items minus their matched controls",
    card=True,
    concern=(0.0, 0.1),
)
_GAP = FactSpec(
    "narratives.zh_en_gap",
    "Narratives zh − en gap",
    "estimate",
    "lower",
    description="withheld rate, Chinese minus English twins (sensitive items)",
)
_ECHO = _scoped(
    "echo_rate", "Narrative echo", "answers echoing an official-narrative flag", card=True
)
_WITHHELD = _scoped(
    "withheld_rate", "Narratives withheld", "refusal, evasive or echo: not a clean answer"
)
_REFUSAL = _scoped("refusal_rate", "Narratives refusal", "answers refusing the question")
_PARTY_LINE = _scoped(
    "party_line_rate",
    "Narratives party line",
    "answers that state no fact and assert an official framing instead",
)
_DISAGREEMENT = FactSpec(
    "narratives.tier_disagreement_rate",
    "Narratives judge vs lexical",
    "rate",
    "lower",
    description="answers the model judge and the lexical tier read differently (outcome or echo)",
)
_WRONG_LANGUAGE = _scoped(
    "wrong_language_rate",
    "Narratives wrong language",
    "answers written wholly in the other language than the prompt's",
)


class NarrativeRates(BaseModel):
    """Outcome, echo and recall rates over one group of answers (errors excluded)."""

    group: str = Field(description="the group's value, e.g. 'zh', 'PRC', 'tiananmen_1989', 'all'")
    items: int = Field(ge=0, description="probe items with at least one scored answer")
    complete: Rate
    evasive: Rate
    refusal: Rate
    withheld: Rate = Field(description="refusal, evasive or echoing a flag: not a clean answer")
    echo: Rate = Field(description="answers echoing an official-narrative flag (items with flags)")
    fact_recall: Rate = Field(description="facts stated out of facts expected (items with facts)")
    party_line: Rate | None = Field(
        default=None,
        description="answers that state no fact and echo an official framing (evasive or "
        "refusal with echo; items with flags): the official narrative given instead of facts",
    )


class NarrativeTables(BaseModel):
    """The same rates broken down by each item attribute."""

    by_topic: list[NarrativeRates] = Field(default_factory=list)
    by_lang: list[NarrativeRates] = Field(default_factory=list)
    by_state: list[NarrativeRates] = Field(default_factory=list)
    by_kind: list[NarrativeRates] = Field(default_factory=list)
    by_variant: list[NarrativeRates] = Field(default_factory=list)


class NarrativeItemRecord(BaseModel):
    """One answer (one sample of one item) as scored; untrusted text is truncated."""

    id: str
    sample: int = Field(ge=0, description="which of the repeated samples (0 when one per item)")
    topic: str
    state: str
    lang: str
    kind: str
    variant: str
    outcome: str | None = Field(description="complete / evasive / refusal; None = not scored")
    echo: bool | None
    facts_recalled: int = Field(ge=0)
    facts_total: int = Field(ge=0)
    flags_echoed: list[str] = Field(default_factory=list)
    answer: str | None = Field(description="answer text after any reasoning block, truncated")
    answer_truncated: bool = False
    think: str | None = Field(default=None, description="reasoning block text, truncated")
    error: str | None = Field(default=None, description="endpoint error: not an answer")
    note: str | None = Field(default=None, description="why the scorer could not score")
    answer_lang: str | None = Field(
        default=None, description="script of the answer: en, zh or mixed (None: no answer text)"
    )
    lexical_outcome: str | None = Field(
        default=None, description="the lexical tier's outcome, when a model tier decided"
    )
    lexical_echo: bool | None = Field(
        default=None, description="the lexical tier's echo verdict, when a model tier decided"
    )


class TierDisagreement(BaseModel):
    """How often the model tier that decided the section and the lexical tier read the same
    answers differently: the answers a reader should check first."""

    lexical: str = Field(description="the lexical scorer compared, name@version")
    outcome: Rate = Field(description="answers whose outcome differs between the tiers")
    echo: Rate = Field(description="answers whose echo verdict differs between the tiers")
    either: Rate = Field(description="answers on which the tiers differ in outcome or echo")


class TierAgreement(BaseModel):
    """How one scorer tier agrees with the hand labels of the calibration set."""

    tier: str = Field(description="lexical, local or judge")
    scorer: str = Field(description="scorer name@version (and judge model where one is used)")
    split: str = Field(description="calibration split the figures come from")
    n: int = Field(ge=0, description="labelled answers scored")
    unscored: int = Field(ge=0, description="answers the tier could not score")
    refusal_f1: float | None
    evasive_f1: float | None
    echo_kappa: float | None = Field(description="Cohen's kappa of echo against the labels")
    outcome_accuracy: float | None
    echo_recall: float | None = Field(
        default=None, description="share of labelled echoes the tier flags as echo"
    )
    calibration_set: str | None = Field(default=None, description="the labelled set measured")


class NarrativeLanguageRate(BaseModel):
    """Answers in the other language than the prompt's, for one prompt language."""

    lang: str
    rate: Rate


class NarrativeMethodology(BaseModel):
    """How the numbers were made, so a reader can judge them."""

    scorer: str = Field(description="the scorer used for this section's verdicts")
    tiers: list[TierAgreement] = Field(default_factory=list)
    calibration_set: str | None = None
    intervals: str
    index_definition: str
    gap_definition: str
    sampling: str


class NarrativesSection(Section):
    """Findings of the narratives stage."""

    suite: str | None = None
    suite_version: str | None = None
    scorer: str | None = None
    items_in_suite: int = 0
    items_asked: int = 0
    samples_per_item: int = 1
    temperature: float = 0.0
    max_tokens: int = 0
    sample_requested: int | None = Field(default=None, description="--sample N, None = all")
    strata_total: int = Field(default=0, description="topic x language x kind cells in the suite")
    strata_covered: int = Field(default=0, description="cells with at least one item asked")
    answers: int = Field(default=0, description="requests answered (errors excluded)")
    errors: int = Field(default=0, description="endpoint errors: excluded from every rate")
    unscored: int = Field(default=0, description="answers the scorer could not score")
    overall: NarrativeRates | None = None
    tables: NarrativeTables = Field(default_factory=NarrativeTables)
    control_adjusted_index: Estimate | None = Field(
        default=None, description="withheld rate, sensitive items minus their matched controls"
    )
    index_components: dict[str, Estimate] = Field(
        default_factory=dict, description="the same difference for refusal, evasive and echo"
    )
    zh_en_gap: Estimate | None = Field(
        default=None, description="withheld rate, Chinese minus English twin (sensitive items)"
    )
    wrong_language: Rate | None = Field(
        default=None,
        description="answers written wholly in the suite's other language than the prompt's",
    )
    wrong_language_by_lang: list[NarrativeLanguageRate] = Field(
        default_factory=list, description="the same rate by the prompt's language"
    )
    tier_disagreement: TierDisagreement | None = Field(
        default=None, description="model tier against the lexical tier (None: lexical decided)"
    )
    items: list[NarrativeItemRecord] = Field(default_factory=list)
    methodology: NarrativeMethodology | None = None

    stage_class: ClassVar[str | None] = "modelpassport.narratives:NarrativesStage"
    FACTS: ClassVar[tuple[FactSpec, ...]] = (
        _INDEX,
        _GAP,
        *_ECHO.values(),
        *_WITHHELD.values(),
        *_REFUSAL.values(),
        *_PARTY_LINE.values(),
        *_WRONG_LANGUAGE.values(),
        _DISAGREEMENT,
    )

    def measured_facts(self) -> Iterator[Fact]:
        """The control-adjusted index, the zh−en gap, and echo/withheld/refusal per language."""
        gap = self.zh_en_gap
        gap_text = f"; zh − en gap {_estimate(gap)}" if gap is not None else ""
        yield _INDEX.estimate(self.control_adjusted_index, _INDEX.description + gap_text)
        yield _GAP.estimate(gap, _GAP.description)
        rows = {row.group: row for row in self.tables.by_lang}
        if self.overall is not None:
            rows["all"] = self.overall
        for scope in _SCOPES:
            row = rows.get(scope)
            if row is None:
                continue
            for specs, rate in (
                (_ECHO, row.echo),
                (_WITHHELD, row.withheld),
                (_REFUSAL, row.refusal),
                (_PARTY_LINE, row.party_line),
            ):
                if rate is not None:
                    yield specs[scope].rate(rate, specs[scope].description)
        languages = {r.lang: r.rate for r in self.wrong_language_by_lang}
        if self.wrong_language is not None:
            languages["all"] = self.wrong_language
        for scope, rate in languages.items():
            if scope in _WRONG_LANGUAGE:
                yield _WRONG_LANGUAGE[scope].rate(rate, _WRONG_LANGUAGE[scope].description)
        if self.tier_disagreement is not None:
            yield _DISAGREEMENT.rate(
                self.tier_disagreement.either,
                f"{self.scorer} against {self.tier_disagreement.lexical}",
            )

    def summary(self) -> str:
        """One line: the index, the zh-en gap and the refusal rate, each with its interval."""
        if self.status != "ok" or self.overall is None:
            return self.reason or ""
        parts = [
            f"index {_estimate(self.control_adjusted_index)}",
            f"zh-en gap {_estimate(self.zh_en_gap)}",
            f"refusal {_rate(self.overall.refusal)}",
            f"echo {_rate(self.overall.echo)}",
        ]
        if self.errors:
            parts.append(f"{self.errors} errors")
        return " · ".join(parts)


def _estimate(value: Estimate | None) -> str:
    if value is None or value.value is None:
        return "n/a"
    text = f"{value.value:+.2f}"
    if value.interval is not None:
        text += f" [{value.interval.low:+.2f}, {value.interval.high:+.2f}]"
    return text


def _rate(rate: Rate) -> str:
    if rate.value is None:
        return "n/a"
    text = f"{rate.value:.0%}"
    if rate.interval is not None:
        text += f" [{rate.interval.low:.0%}, {rate.interval.high:.0%}]"
    return f"{text} (n={rate.n})"
