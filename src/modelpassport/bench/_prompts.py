"""Synthetic bench prompts of a chosen length, each one distinct.

Every prompt starts with its own request number, so a server's prefix cache cannot answer a
repeated prompt from memory and flatter TTFT. The body is plain prose (``data/filler.txt``)
repeated to length; with the model's tokenizer the length is exact, without it it is
estimated at four characters per token.
"""

from __future__ import annotations

from importlib.resources import files

from modelpassport.targets import ChatRequest, Message

from ._tokens import CHARS_PER_TOKEN, GgufTokenizer

INSTRUCTION = (
    "Continue these notes as one long story, in the same calm style, without lists, "
    "and keep writing until you are stopped."
)


class PromptMaker:
    """Builds the i-th bench request: ``prompt_tokens`` of prompt, ``max_tokens`` to answer."""

    def __init__(
        self, prompt_tokens: int, max_tokens: int, tokenizer: GgufTokenizer | None, seed: int
    ) -> None:
        self.prompt_tokens = prompt_tokens
        self.max_tokens = max_tokens
        self.seed = seed
        self._tokenizer = tokenizer
        text = (files("modelpassport.bench") / "data" / "filler.txt").read_text(encoding="utf-8")
        self._filler = " ".join(text.split())

    def _body(self, index: int) -> str:
        head = f"Request {index}. {INSTRUCTION}\n\n"
        # Over-supply prose when a tokenizer will cut it to the exact length.
        per_token = CHARS_PER_TOKEN * (2 if self._tokenizer is not None else 1)
        wanted_chars = int(self.prompt_tokens * per_token) + 16
        body = self._filler
        while len(head) + len(body) < wanted_chars:
            body = f"{body} {self._filler}"
        text = head + body
        if self._tokenizer is not None:
            return self._tokenizer.take(text, self.prompt_tokens)
        return text[: max(len(head), int(self.prompt_tokens * CHARS_PER_TOKEN))]

    def __call__(self, index: int) -> ChatRequest:
        """The request numbered ``index`` (deterministic for a given seed and settings)."""
        return ChatRequest(
            messages=(Message(role="user", content=self._body(index)),),
            max_tokens=self.max_tokens,
            temperature=0.0,
            seed=self.seed + index,
        )
