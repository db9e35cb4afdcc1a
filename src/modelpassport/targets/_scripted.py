"""Scripted target: canned answers chosen by regex, for tests and demos (no network).

File format (JSON)::

    {"model": "name",
     "rules": [{"match": "regex", "answer": "text"},
               {"match": "regex", "error": "transient" | "permanent", "message": "..."}],
     "default": "text"}

The first rule whose regex (``re.search``, DOTALL) matches the last user message wins; no
match gives ``default``. Usage is counted in whitespace tokens (there is no tokenizer), and
``max_tokens`` truncates the answer at that many whitespace tokens (finish_reason "length")
so length limits behave as they would on a real model.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from modelpassport.errors import InputError

from ._errors import PermanentTargetError, TransientTargetError
from ._limits import Limits, ResilientTarget
from ._registry import TargetSpec
from ._text import split_words
from ._types import ChatRequest, Completion, StreamChunk, TargetIdentity, Timing, Usage

_MAX_SCRIPT_BYTES = 64 * 1024 * 1024


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    match: str
    answer: str | None = None
    error: Literal["transient", "permanent"] | None = None
    message: str = "scripted error"

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value, re.DOTALL)
        except re.error as exc:
            raise ValueError(f"expected a Python regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.answer is None) == (self.error is None):
            raise ValueError("expected exactly one of 'answer' or 'error'")
        return self


class Script(BaseModel):
    """A validated scripted-answers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    rules: tuple[_Rule, ...] = ()
    default: str


def load_script(path: Path) -> tuple[Script, str]:
    """Read and validate a script file; returns it with the sha256 of its bytes.

    Raises:
        InputError: unreadable, not JSON, or a field is wrong (the message names the field).
    """
    try:
        if path.stat().st_size > _MAX_SCRIPT_BYTES:
            raise InputError(
                path, f"expected a scripted answers file under {_MAX_SCRIPT_BYTES} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the scripted answers file ({exc.strerror})") from None
    try:
        script = Script.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(path, f"field {where}: {first['msg']}") from None
    return script, hashlib.sha256(data).hexdigest()


def _last_user(request: ChatRequest) -> str:
    for message in reversed(request.messages):
        if message.role == "user":
            return message.content
    return ""


def _cut(answer: str, request: ChatRequest) -> tuple[list[str], str]:
    """The answer's pieces after stop sequences and max_tokens, and the finish reason."""
    for stop in request.stop:
        if stop and stop in answer:
            answer = answer[: answer.index(stop)]
    pieces = split_words(answer)
    words = [p for p in pieces if p.strip()]
    if len(words) > request.max_tokens:
        return pieces[: pieces.index(words[request.max_tokens])], "length"
    return pieces, "stop"


class ScriptedTarget(ResilientTarget):
    """Answers from a script file, deterministically; scripted errors raise target errors."""

    def __init__(self, script: Script, digest: str, limits: Limits | None = None) -> None:
        identity = TargetIdentity(provider="scripted", model=script.model, fingerprint=digest)
        super().__init__(identity, limits)
        self._script = script
        self._patterns = [(re.compile(rule.match, re.DOTALL), rule) for rule in script.rules]

    @classmethod
    def open(cls, spec: TargetSpec, limits: Limits) -> Self:
        """Load the script named by ``spec.path`` (or ``spec.model`` as a path)."""
        script, digest = load_script(spec.path or Path(spec.model))
        return cls(script, digest, limits)

    def _answer(self, request: ChatRequest) -> str:
        """The scripted answer for a request, or the scripted error raised."""
        prompt = _last_user(request)
        for pattern, rule in self._patterns:
            if pattern.search(prompt):
                if rule.error == "transient":
                    raise TransientTargetError(rule.message)
                if rule.error == "permanent":
                    raise PermanentTargetError(rule.message)
                return rule.answer or ""
        return self._script.default

    def _usage(self, request: ChatRequest, pieces: list[str]) -> Usage:
        prompt = sum(len(m.content.split()) for m in request.messages)
        return Usage(prompt=prompt, completion=sum(1 for p in pieces if p.strip()))

    async def _chat_once(self, request: ChatRequest) -> Completion:
        start = time.perf_counter()
        pieces, finish = _cut(self._answer(request), request)
        elapsed = time.perf_counter() - start
        return Completion(
            text="".join(pieces),
            finish_reason=finish,
            usage=self._usage(request, pieces),
            timing=Timing(ttft_s=elapsed, total_s=elapsed),
            model_id=self._script.model,
        )

    async def _stream_once(self, request: ChatRequest) -> AsyncGenerator[StreamChunk, None]:
        start = time.perf_counter()
        pieces, finish = _cut(self._answer(request), request)
        for piece in pieces:
            yield StreamChunk(text=piece, at_s=time.perf_counter() - start)
        yield StreamChunk(
            text="",
            at_s=time.perf_counter() - start,
            finish_reason=finish,
            usage=self._usage(request, pieces),
        )
