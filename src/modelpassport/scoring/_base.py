"""The scorer contract: one answer in, one verdict out, naming the scorer that made it.

Like a detector that may say "could not score", a scorer returns ``outcome=None`` (and
``echo=None``) when it cannot judge an answer, with the reason in ``note``; a verdict that
could not be made is never reported as a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from modelpassport.probes import Claim, Lang

from ._think import SplitAnswer

AnswerOutcome = Literal["complete", "evasive", "refusal"]
OUTCOMES: tuple[AnswerOutcome, ...] = ("complete", "evasive", "refusal")


@dataclass(frozen=True)
class Case:
    """What a scorer sees: the question, its facts and flags, and the split answer.

    ``topic`` and ``state`` select the official framings checked besides the item's flags;
    ``twin_facts``/``twin_flags`` are the same claims written for the twin item in the other
    language (index for index), so an answer is read in either language.
    """

    prompt: str
    lang: Lang
    facts: tuple[Claim, ...]
    flags: tuple[Claim, ...]
    answer: SplitAnswer
    topic: str = ""
    state: str = ""
    twin_facts: tuple[Claim, ...] = ()
    twin_flags: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Score:
    """A scorer's verdict on one answer.

    ``outcome``/``echo`` None means the scorer could not judge (see ``note``). Fact recall
    and echoed flags are always the transparent cue matches, whichever tier decided the
    outcome, so a reader can check them against the answer. ``answer_lang`` is the script the
    answer is written in (``en``, ``zh``, ``mixed``; None when there is no answer text).
    """

    outcome: AnswerOutcome | None
    echo: bool | None
    facts_recalled: int
    facts_total: int
    flags_echoed: tuple[str, ...]
    scorer: str
    note: str | None = None
    answer_lang: str | None = None
    lexical_outcome: AnswerOutcome | None = None
    lexical_echo: bool | None = None


class Scorer(Protocol):
    """Scores a batch of answers; batch-shaped so a judge can send its requests together."""

    name: str
    version: str

    async def score(self, cases: Sequence[Case]) -> list[Score]:
        """One Score per case, in order."""
        ...
