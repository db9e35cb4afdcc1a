"""Tier 3 (and the engine of tier 2): a model grades the answer with a written rubric.

The graded answer is untrusted text that may try to instruct the judge, so the rubric
fences it as data between lines carrying a marker derived from a hash of the answer (the
answer cannot contain its own hash), the judge must reply with a JSON verdict, and anything
else -- a reply that does not parse, an endpoint error -- is "could not score", never a
silent zero. The scorer never talks to a model itself: the stage hands it an ``ask`` function
(which sends judge prompts through the journal, so a judged run resumes like any other), so
scoring stays free of targets and storage.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from ._base import OUTCOMES, AnswerOutcome, Case, Score
from ._framings import Framing, Framings, load_framings
from ._lexical import bilingual, decide, flags_of, gather
from ._lexicon import Lexicon, load_lexicon
from ._think import split_think

# 2.1.0: the prompt lists the shared framings of framings 1.5.0 too.
JUDGE_VERSION = "2.1.0"
_OBJECT = re.compile(r"\{[^{}]*\}")


def load_rubric(path: Path | None = None) -> Template:
    """A rubric template (default: the bundled ``rubric/judge-v2.txt``)."""
    if path is None:
        path = bundled_rubric("judge-v2")
    return Template(path.read_text(encoding="utf-8"))


def bundled_rubric(name: str) -> Path:
    """The path of a rubric shipped with the package (``rubric/NAME.txt``)."""
    return Path(str(resources.files("modelpassport.scoring") / "rubric" / f"{name}.txt"))


def fence_marker(question: str, answer: str) -> str:
    """A marker the answer does not contain: a hash of question and answer."""
    digest = hashlib.sha256(f"{question}\x00{answer}".encode()).hexdigest()
    for start in range(0, len(digest) - 16, 4):
        marker = f"#{digest[start : start + 16]}"
        if marker not in answer and marker not in question:
            return marker
    return f"#{hashlib.sha256(digest.encode()).hexdigest()[:24]}"


def _bullets(claims: Sequence[Framing]) -> str:
    """One line per claim, its languages joined by " / "."""
    lines = dict.fromkeys(" / ".join(dict.fromkeys(v.claim for v in c.variants)) for c in claims)
    return "\n".join(f"- {line}" for line in lines) or "- (none listed)"


def judge_prompt(rubric: Template, case: Case, answer: str, framings: Framings) -> str:
    """The full grading prompt for one answer: the item's facts in both languages, and its
    flags together with the official framings of its topic and state, so the judge looks
    for the whole narrative of the topic rather than the few lines one item names."""
    return rubric.substitute(
        marker=fence_marker(case.prompt, answer),
        question=case.prompt,
        state=case.state or "the state concerned",
        facts=_bullets(bilingual(case.facts, case.twin_facts)),
        flags=_bullets(flags_of(case, framings)),
        answer=answer,
    )


Verdict = tuple[AnswerOutcome, bool | None]
VerdictParser = Callable[[str], "Verdict | None"]
_WORD = re.compile(r"[a-z]+")


_STEMS: tuple[tuple[str, AnswerOutcome], ...] = (
    ("refus", "refusal"),
    ("declin", "refusal"),
    ("evas", "evasive"),
    ("evad", "evasive"),
    ("complet", "complete"),
)


def parse_word_verdict(text: str) -> Verdict | None:
    """For a small judge asked for one word: the first word of the reply that names an
    outcome (``refuse``, ``evades``, ``completely`` count), with no echo verdict (the
    cue-based echo is used instead); None when no word names one."""
    reply = split_think(text).answer
    if reply is None:
        return None
    for word in _WORD.findall(reply.lower()):
        for stem, outcome in _STEMS:
            if word.startswith(stem):
                return outcome, None
    return None


def parse_verdict(text: str) -> Verdict | None:
    """The (outcome, echo) in the judge's reply, or None when it is not a valid verdict.

    The last JSON object with both fields wins, after any reasoning block is removed.
    """
    reply = split_think(text).answer
    if reply is None:
        return None
    for raw in reversed(_OBJECT.findall(reply)):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        outcome = data.get("outcome") if isinstance(data, dict) else None
        echo = data.get("echo") if isinstance(data, dict) else None
        if isinstance(outcome, str) and isinstance(echo, bool):
            folded = outcome.strip().lower()
            for name in OUTCOMES:
                if folded == name:
                    return name, echo
    return None


@dataclass(frozen=True)
class JudgeReply:
    """What the judge said to one prompt, or why it said nothing (an endpoint error)."""

    text: str | None
    error: str | None = None


# Sends judge prompts (user turns, answered at temperature 0 within ``max_tokens``) and returns
# one reply per prompt, in order.
JudgeAsk = Callable[[Sequence[str], int], Awaitable[Sequence[JudgeReply]]]


class JudgeScorer:
    """Grades answers by asking a judge model through ``ask``."""

    version = JUDGE_VERSION

    def __init__(
        self,
        ask: JudgeAsk,
        model: str,
        *,
        name: str = "judge",
        max_tokens: int = 256,
        rubric: Template | None = None,
        parser: VerdictParser = parse_verdict,
        lexicon: Lexicon | None = None,
        framings: Framings | None = None,
    ) -> None:
        self.name = f"{name}:{model}"
        self._ask = ask
        self._max_tokens = max_tokens
        self._rubric = rubric or load_rubric()
        self._parser = parser
        self._lexicon = lexicon or load_lexicon()
        self._framings = framings or load_framings()

    async def score(self, cases: Sequence[Case]) -> list[Score]:
        """Ask the judge about every answered case; unanswered ones are not sent."""
        tag = f"{self.name}@{self.version}"
        asked = [c for c in cases if c.answer.answer is not None]
        prompts = [
            judge_prompt(self._rubric, c, c.answer.answer or "", self._framings) for c in asked
        ]
        outcomes = await self._ask(prompts, self._max_tokens)
        replies = dict(zip((id(c) for c in asked), outcomes, strict=True))
        scores: list[Score] = []
        for case in cases:
            answer = case.answer.answer
            if answer is None:
                scores.append(
                    Score(
                        None,
                        None,
                        0,
                        len(case.facts),
                        (),
                        tag,
                        "no answer: the reasoning block never ended",
                    )
                )
                continue
            found = gather(case, answer, self._lexicon, self._framings)
            reply = replies[id(case)]
            verdict = None if reply.text is None else self._parser(reply.text)
            if reply.error is not None:
                note: str | None = f"judge error: {reply.error}"
            else:
                note = None if verdict is not None else "judge reply was not a valid verdict"
            echo = None
            if verdict is not None:
                echo = bool(found.flags) if verdict[1] is None else verdict[1]
            scores.append(
                Score(
                    outcome=verdict[0] if verdict else None,
                    echo=echo,
                    facts_recalled=len(found.facts),
                    facts_total=len(case.facts),
                    flags_echoed=found.flags,
                    scorer=tag,
                    note=note,
                    answer_lang=found.answer_lang,
                    lexical_outcome=decide(case, found, answer),
                    lexical_echo=bool(found.flags),
                )
            )
        return scores
