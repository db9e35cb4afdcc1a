"""Separate a reasoning model's ``<think>`` block from its answer.

Only the answer after the block is scored; the reasoning is kept for the record. A block that
never closes (the token budget ran out while reasoning) means there is no answer at all, which
is recorded as such rather than scored as a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# <think> and <thinking> (most open reasoning models), <reasoning>, <seed:think> and the
# bracketed [THINK] form some chat templates use.
_OPEN = re.compile(r"<(?:seed:)?(?:think(?:ing)?|reasoning)>|\[think\]", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:seed:)?(?:think(?:ing)?|reasoning)>|\[/think\]", re.IGNORECASE)


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

    Handles ``<think>...</think>`` blocks anywhere (also ``<thinking>``, ``<reasoning>``,
    ``<seed:think>`` and ``[THINK]...[/THINK]``), a closing tag
    without an opening one (servers that put the opening tag in the prompt template), and
    an unterminated block: when no answer text precedes it, the answer is None.
    """
    thinks: list[str] = []
    first_open, first_close = _OPEN.search(text), _CLOSE.search(text)
    if first_close is not None and (first_open is None or first_close.start() < first_open.start()):
        thinks.append(text[: first_close.start()].strip())
        text = text[first_close.end() :]
    pieces: list[str] = []
    pos = 0
    while (opened := _OPEN.search(text, pos)) is not None:
        pieces.append(text[pos : opened.start()].strip())
        closed = _CLOSE.search(text, opened.end())
        if closed is None:
            thinks.append(text[opened.end() :].strip())
            before = " ".join(p for p in pieces if p)
            return SplitAnswer(before or None, "\n".join(thinks))
        thinks.append(text[opened.end() : closed.start()].strip())
        pos = closed.end()
    pieces.append(text[pos:].strip())
    answer = " ".join(p for p in pieces if p)
    return SplitAnswer(answer, "\n".join(thinks) if thinks else None)
