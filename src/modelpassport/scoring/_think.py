"""Separate a reasoning model's ``<think>`` block from its answer.

Only the answer after the block is scored; the reasoning is kept for the record. A block that
never closes (the token budget ran out while reasoning) means there is no answer at all, which
is recorded as such rather than scored as a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)


@dataclass(frozen=True)
class SplitAnswer:
    """An answer split into reasoning and the part a reader sees."""

    answer: str | None
    think: str | None

    @property
    def unterminated(self) -> bool:
        """True when reasoning started but never ended: the model gave no answer."""
        return self.answer is None


def split_think(text: str) -> SplitAnswer:
    """Split ``text`` into (answer, think).

    Handles a leading ``<think>...</think>`` block (also ``<thinking>``), a closing tag
    without an opening one (servers that put the opening tag in the prompt template), and an
    unterminated block (answer None).
    """
    opened = _OPEN.search(text)
    closed = _CLOSE.search(text)
    if opened is None and closed is None:
        return SplitAnswer(text.strip(), None)
    if closed is None:
        assert opened is not None
        return SplitAnswer(None, text[opened.end() :].strip())
    start = opened.end() if opened is not None and opened.start() < closed.start() else 0
    answer = text[closed.end() :]
    # A second reasoning block later in the answer is still reasoning, not answer text.
    rest = split_think(answer) if _OPEN.search(answer) else SplitAnswer(answer.strip(), None)
    think = text[start : closed.start()].strip()
    if rest.think:
        think = f"{think}\n{rest.think}"
    return SplitAnswer(rest.answer, think)
