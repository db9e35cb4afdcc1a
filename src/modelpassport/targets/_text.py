"""Small text helpers shared by backends: word splitting and reasoning markup."""

from __future__ import annotations

import re

_WORD = re.compile(r"^\s+|\S+\s*")


def split_words(text: str) -> list[str]:
    """Split text into whitespace-delimited pieces that join back to exactly ``text``.

    Used where a backend has no tokenizer of its own (scripted replay) to stream and to
    count tokens, so the count is a whitespace-token count, not a model-token count.
    """
    return _WORD.findall(text)


def with_thinking(reasoning: str, answer: str) -> str:
    """Put reasoning before the answer as ``<think>...</think>``.

    Providers send reasoning separately (``reasoning_content`` deltas, ``thinking`` blocks);
    one markup in the text lets every scorer strip it the same way, whatever the provider,
    while ``Completion.raw`` keeps the reasoning as sent.
    """
    if not reasoning:
        return answer
    return f"<think>{reasoning}</think>\n{answer}"


class ThinkingStream:
    """Streams reasoning and answer deltas as text with the same markup as ``with_thinking``.

    Joining every returned piece (plus ``close()``) gives exactly
    ``with_thinking(reasoning, answer)``, so streamed and whole answers score the same.
    """

    def __init__(self) -> None:
        self._thinking = False

    def reasoning(self, piece: str) -> str:
        """Text to emit for a reasoning delta."""
        if not piece:
            return ""
        if self._thinking:
            return piece
        self._thinking = True
        return "<think>" + piece

    def answer(self, piece: str) -> str:
        """Text to emit for an answer delta (closes an open reasoning block first)."""
        if self._thinking and piece:
            self._thinking = False
            return "</think>\n" + piece
        return piece

    def close(self) -> str:
        """Text to emit at the end of the stream (closes a reasoning-only answer)."""
        if self._thinking:
            self._thinking = False
            return "</think>\n"
        return ""
