"""Opening the model-graded scorer tiers: the local judge and a judge REF.

The scorers grade; this module owns what they talk to. It opens the judge's target, sends its
prompts through the journal (so a judged run resumes like any other), and closes the target
when the stage is done.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelpassport.errors import ModelPassportError
from modelpassport.probes import run_requests
from modelpassport.refs import default_model_path, resolve
from modelpassport.scoring import (
    JudgeAsk,
    JudgeReply,
    JudgeScorer,
    bundled_rubric,
    load_rubric,
    parse_word_verdict,
)
from modelpassport.store import Journal
from modelpassport.targets import ChatRequest, Limits, Message, Target, TargetSpec, open_target

# The bundled 135M model cannot follow the full rubric or write JSON: it is asked for one word.
LOCAL_JUDGE_MAX_TOKENS = 8


def judge_ask(target: Target, journal: Journal, *, concurrency: int) -> JudgeAsk:
    """An ``ask`` for a JudgeScorer: judge prompts to ``target``, journaled, errors kept."""

    async def ask(prompts: Sequence[str], max_tokens: int) -> list[JudgeReply]:
        requests = [
            ChatRequest(
                messages=(Message(role="user", content=prompt),),
                max_tokens=max_tokens,
                temperature=0.0,
                seed=0,
            )
            for prompt in prompts
        ]
        outcomes = await run_requests(
            target, requests, journal, stage="narratives.judge", concurrency=concurrency
        )
        return [
            JudgeReply(o.completion.text if o.completion is not None else None, None)
            if o.error is None
            else JudgeReply(None, f"{o.error.kind}: {o.error.message}")
            for o in outcomes
        ]

    return ask


def open_local_judge(journal: Journal, *, timeout_s: float) -> tuple[JudgeScorer, Target]:
    """The bundled default model as a judge, in process (one word per verdict).

    Raises:
        MissingExtraError: llama-cpp-python or the model package is not installed.
    """
    path = default_model_path()
    target = open_target(
        TargetSpec("llamacpp", path.stem, path=path), Limits(concurrency=1, timeout_s=timeout_s)
    )
    scorer = JudgeScorer(
        judge_ask(target, journal, concurrency=1),
        target.identity.model,
        name="local",
        max_tokens=LOCAL_JUDGE_MAX_TOKENS,
        rubric=load_rubric(bundled_rubric("local-v1")),
        parser=parse_word_verdict,
    )
    return scorer, target


def open_ref_judge(
    ref: str, journal: Journal, *, concurrency: int, timeout_s: float, max_tokens: int
) -> tuple[JudgeScorer, Target]:
    """Any target named by a REF as the judge."""
    subject = resolve(ref)
    if subject.target is None:
        raise ModelPassportError(
            f"narratives.judge={ref}: not something that answers chat requests"
        )
    target = open_target(subject.target, Limits(concurrency=concurrency, timeout_s=timeout_s))
    scorer = JudgeScorer(
        judge_ask(target, journal, concurrency=concurrency),
        target.identity.model,
        max_tokens=max_tokens,
    )
    return scorer, target
