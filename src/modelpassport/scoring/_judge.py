"""Tier 3 (and the engine of tier 2): a model grades the answer with a written rubric.

The graded answer is untrusted text that may try to instruct the judge, so the rubric
fences it as data between lines carrying a marker derived from a hash of the answer (the
answer cannot contain its own hash), the judge must reply with a JSON verdict, and anything
else -- a reply that does not parse, an endpoint error -- is "could not score", never a
silent zero. Judge requests go through the journal, so a judged run resumes like any other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from string import Template

from modelpassport.probes import Claim, run_requests
from modelpassport.store import Journal
from modelpassport.targets import ChatRequest, Message, Target

from ._base import OUTCOMES, AnswerOutcome, Case, Score
from ._framings import Framings, load_framings
from ._lexical import gather
from ._lexicon import Lexicon, load_lexicon
from ._think import split_think

JUDGE_VERSION = "1.0.0"
_OBJECT = re.compile(r"\{[^{}]*\}")


def load_rubric(path: Path | None = None) -> Template:
    """A rubric template (default: the bundled ``rubric/judge-v1.txt``)."""
    if path is None:
        path = bundled_rubric("judge-v1")
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


def _bullets(claims: Sequence[Claim]) -> str:
    return "\n".join(f"- {c.claim}" for c in claims) or "- (none listed)"


def judge_prompt(rubric: Template, case: Case, answer: str) -> str:
    """The full grading prompt for one answer."""
    return rubric.substitute(
        marker=fence_marker(case.prompt, answer),
        question=case.prompt,
        facts=_bullets(case.facts),
        flags=_bullets(case.flags),
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


class JudgeScorer:
    """Grades answers by asking a judge target, through the journal; owns the target."""

    version = JUDGE_VERSION

    def __init__(
        self,
        target: Target,
        journal: Journal,
        *,
        name: str = "judge",
        max_tokens: int = 256,
        concurrency: int = 4,
        rubric: Template | None = None,
        parser: VerdictParser = parse_verdict,
        lexicon: Lexicon | None = None,
        framings: Framings | None = None,
    ) -> None:
        self.name = f"{name}:{target.identity.model}"
        self._target = target
        self._journal = journal
        self._max_tokens = max_tokens
        self._concurrency = concurrency
        self._rubric = rubric or load_rubric()
        self._parser = parser
        self._lexicon = lexicon or load_lexicon()
        self._framings = framings or load_framings()

    async def score(self, cases: Sequence[Case]) -> list[Score]:
        """Ask the judge about every answered case; unanswered ones are not sent."""
        tag = f"{self.name}@{self.version}"
        asked = [c for c in cases if c.answer.answer is not None]
        requests = [self._request(c, c.answer.answer or "") for c in asked]
        outcomes = await run_requests(
            self._target,
            requests,
            self._journal,
            stage="narratives.judge",
            concurrency=self._concurrency,
        )
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
            verdict = None if reply.completion is None else self._parser(reply.completion.text)
            if reply.error is not None:
                note: str | None = f"judge error: {reply.error.kind}: {reply.error.message}"
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
                )
            )
        return scores

    async def aclose(self) -> None:
        """Release the judge target (the scorer owns the target it was given)."""
        await self._target.aclose()

    def _request(self, case: Case, answer: str) -> ChatRequest:
        prompt = judge_prompt(self._rubric, case, answer)
        return ChatRequest(
            messages=(Message(role="user", content=prompt),),
            max_tokens=self._max_tokens,
            temperature=0.0,
            seed=0,
        )
