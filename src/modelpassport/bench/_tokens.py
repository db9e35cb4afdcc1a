"""Token counts for bench metrics, from the best source available, always labelled.

Order of trust: the server's own ``usage`` report; else the model's tokenizer re-counting the
streamed text (llama.cpp's tokenizer read from the GGUF, vocabulary only); else an estimate
(one token per streamed delta for output, four characters per token for input), labelled
``estimated`` in the passport.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from modelpassport.errors import MissingExtraError
from modelpassport.passport.sections.bench import TokenSource
from modelpassport.targets import ChatRequest

from ._loadgen import RequestRecord

CHARS_PER_TOKEN = 4.0


class TokenCounter(Protocol):
    """Counts the tokens of a text the way the model would."""

    def count(self, text: str) -> int:
        """Number of tokens in ``text`` (no BOS/EOS added)."""
        ...


class GgufTokenizer:
    """llama.cpp's tokenizer for one GGUF file, loaded with ``vocab_only`` (no weights)."""

    def __init__(self, path: Path) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise MissingExtraError("re-counting tokens", "llama_cpp", "llamacpp") from None
        self.path = path
        self._model: Any = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)

    def count(self, text: str) -> int:
        """Tokens of ``text`` as the model's own tokenizer splits it."""
        return len(self._model.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def take(self, text: str, tokens: int) -> str:
        """The longest prefix of ``text`` that is at most ``tokens`` tokens long."""
        ids = self._model.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        cut = bytes(self._model.detokenize(ids[:tokens]))
        return cut.decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class TokenCount:
    """Input and output tokens of one request, with where the output count came from."""

    input: int
    output: int
    source: TokenSource


def prompt_text(request: ChatRequest) -> str:
    """All message contents of a request, joined as the tokenizer would see them (no template)."""
    return "\n".join(message.content for message in request.messages)


def count_tokens(record: RequestRecord, tokenizer: TokenCounter | None) -> TokenCount:
    """Count one request's tokens: server usage, else the tokenizer, else an estimate."""
    usage = record.usage
    source: TokenSource
    if usage is not None and usage.completion is not None:
        output, source = usage.completion, "usage"
    elif tokenizer is not None:
        output, source = tokenizer.count(record.text), "tokenizer"
    else:
        output, source = len(record.deltas_s), "estimated"
    if usage is not None and usage.prompt is not None:
        prompt = usage.prompt
    elif tokenizer is not None:
        prompt = tokenizer.count(prompt_text(record.request))
    else:
        prompt = round(len(prompt_text(record.request)) / CHARS_PER_TOKEN)
    return TokenCount(input=prompt, output=output, source=source)


def combined_source(sources: list[TokenSource]) -> TokenSource:
    """One label for a point: the shared source, ``mixed`` if they differ, ``none`` if empty."""
    distinct = set(sources)
    if not distinct:
        return "none"
    if len(distinct) == 1:
        return sources[0]
    return "mixed"
