"""The target contract: what every backend accepts and returns.

A *target* is anything that answers chat requests: a model in process, an OpenAI-compatible
server, a hosted API, or a scripted replay. Stages only ever see this contract.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["system", "user", "assistant", "tool"]


class CalledTool(BaseModel):
    """A tool call an assistant turn made, as it goes back in the transcript: the id the
    model gave it (the tool turn that answers it names the same id), the tool and the
    arguments as the JSON text the model wrote."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    arguments: str = "{}"


class Message(BaseModel):
    """One chat turn. An assistant turn may carry the tool calls it made (``tool_calls``);
    a ``tool`` turn is the result of one of them (``tool_call_id``), so a native agent loop
    is replayed to the model exactly as its API expects."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str
    tool_calls: tuple[CalledTool, ...] = ()
    tool_call_id: str | None = None

    @model_validator(mode="after")
    def _tool_fields_fit_the_role(self) -> Message:
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only an assistant turn carries tool_calls")
        if (self.role == "tool") != (self.tool_call_id is not None):
            raise ValueError("a tool turn, and only a tool turn, names its tool_call_id")
        return self

    def wire(self) -> dict[str, Any]:
        """The turn in the OpenAI chat format (which llama.cpp's chat API shares)."""
        turn: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            turn["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in self.tool_calls
            ]
        if self.tool_call_id is not None:
            turn["tool_call_id"] = self.tool_call_id
        return turn


class ChatRequest(BaseModel):
    """Everything that determines an answer; its hash keys the journal."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[Message, ...]
    max_tokens: int = Field(default=256, ge=1)
    temperature: float = Field(default=0.0, ge=0.0)
    seed: int | None = 0
    stop: tuple[str, ...] = ()
    tools: tuple[dict[str, Any], ...] | None = None

    def digest(self) -> str:
        """Stable sha256 of the request, independent of dict ordering. A turn without tool
        fields hashes as it did before turns had them, so journals written then resume."""
        data = self.model_dump(mode="json")
        for turn in data["messages"]:
            if not turn["tool_calls"]:
                del turn["tool_calls"]
            if turn["tool_call_id"] is None:
                del turn["tool_call_id"]
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Token counts at or above this are not counts (a trillion tokens in one answer).
MAX_COUNT = 1 << 40


class Usage(BaseModel):
    """Token counts as reported by the target (None when it reported nothing)."""

    prompt: int | None = None
    completion: int | None = None

    @field_validator("prompt", "completion", mode="before")
    @classmethod
    def _count(cls, value: object) -> int | None:
        """A server's count is untrusted: anything but a plausible whole number (``1e999``,
        ``-3``, ``"12"``, ``true``) is "not reported", never an error that loses the answer."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not (value.is_integer() and abs(value) < MAX_COUNT):
            return None
        count = int(value)
        return count if 0 <= count < MAX_COUNT else None


class Timing(BaseModel):
    """Client-side timing of one request, in seconds."""

    ttft_s: float | None = None
    total_s: float


def clean_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (legal in JSON escapes, illegal in UTF-8) with U+FFFD.

    Model output is untrusted: a server can send ``"\\ud800"``, and one such character would
    otherwise make the passport impossible to write or hash.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _clean_tree(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(v) for v in value]
    return value


class Completion(BaseModel):
    """A successful answer. ``text`` is untrusted model output (surrogates cleaned)."""

    text: str
    finish_reason: str | None
    usage: Usage = Field(default_factory=Usage)
    timing: Timing
    model_id: str
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    raw: dict[str, Any] | None = None

    @field_validator("text", mode="after")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        return clean_text(value)

    @field_validator("tool_calls", "raw", mode="after")
    @classmethod
    def _clean_structures(cls, value: Any) -> Any:
        return _clean_tree(value)


class StreamChunk(BaseModel):
    """One streamed delta with its arrival time (seconds since the request was sent)."""

    text: str
    at_s: float

    @field_validator("text", mode="after")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        return clean_text(value)

    finish_reason: str | None = None
    usage: Usage | None = None


class TargetIdentity(BaseModel):
    """Who answers: part of every journal key, so two targets never share cached answers."""

    model_config = ConfigDict(frozen=True)

    provider: str
    model: str
    endpoint: str | None = None
    fingerprint: str | None = None

    def key(self) -> str:
        """A short stable string identifying this target in the journal."""
        return f"{self.provider}|{self.model}|{self.endpoint or ''}|{self.fingerprint or ''}"


@runtime_checkable
class Target(Protocol):
    """Anything that answers chat requests.

    Implementations raise ``TransientTargetError`` or ``PermanentTargetError``, never return
    error text as an answer.
    """

    identity: TargetIdentity

    async def chat(self, request: ChatRequest) -> Completion:
        """Answer one request (retries and limits applied)."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        """Yield the answer as it is produced, for latency measurement."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads or model memory."""
        ...
