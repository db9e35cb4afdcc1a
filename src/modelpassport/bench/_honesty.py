"""Honesty checks: a response counts as a measurement only if it finished the way it should.

A stream cut short still looks like a fast request to a naive tool. llama-cpp-python's server
with ``interrupt_requests=True`` (its default) does exactly that under concurrency: HTTP 200,
``[DONE]``, and no ``finish_reason``. Every response is checked against what was asked; a
failing one is *invalid*, excluded from the metrics, and makes its whole point invalid.
"""

from __future__ import annotations

from ._loadgen import RequestRecord
from ._tokens import TokenCount

FINISHED = ("stop", "length")
TOKENIZER_TOLERANCE = 0.1
"""Re-tokenized text may split differently from generation: allow 10% (at least 1 token)."""

NO_FINISH = "stream ended without a finish_reason"
EMPTY = "no output token to time"
SHORT_LENGTH = "finish_reason 'length' with fewer tokens than max_tokens"
TOO_LONG = "more output tokens than max_tokens"


def check(record: RequestRecord, tokens: TokenCount, max_tokens: int) -> str | None:
    """Why this successful response is not an honest measurement, or None if it is.

    Checks, in order: the stream said how it finished; it finished normally (stop or
    length); it produced at least one delta to time; and its token count agrees with the
    finish reason and ``max_tokens`` (exactly for server-reported usage, within 10% for a
    re-count, not at all for an estimate).
    """
    if record.finish_reason is None:
        return NO_FINISH
    if record.finish_reason not in FINISHED:
        return f"finish_reason {record.finish_reason!r}"
    if not record.deltas_s:
        return EMPTY
    if tokens.source == "estimated":
        return None
    slack = 0 if tokens.source == "usage" else max(1, round(TOKENIZER_TOLERANCE * max_tokens))
    if tokens.output > max_tokens + slack:
        return TOO_LONG
    if record.finish_reason == "length" and tokens.output < max_tokens - slack:
        return SHORT_LENGTH
    return None
