"""The Anthropic Messages API (``POST {base_url}/v1/messages``).

System messages move to the ``system`` field; ``stop_reason`` maps onto the OpenAI-style
``finish_reason`` every scorer reads (end_turn/stop_sequence -> stop, max_tokens -> length,
tool_use -> tool_calls; anything else kept as sent). ``thinking`` blocks go into the text as
``<think>...</think>`` before the answer and stay in ``Completion.raw`` as sent. Tool calls
and results in the transcript travel as ``tool_use`` and ``tool_result`` blocks.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any, Self

from modelpassport.errors import InputError

from ._errors import AuthTargetError, PermanentTargetError, TargetError, TransientTargetError
from ._http import ClientPool
from ._limits import Limits, ResilientTarget
from ._redact import without_userinfo
from ._registry import TargetSpec, read_api_key
from ._text import ThinkingStream, with_thinking
from ._types import ChatRequest, Completion, Message, StreamChunk, TargetIdentity, Timing, Usage

API_VERSION = "2023-06-01"
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}
_TRANSIENT_EVENTS = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


def _finish(stop_reason: Any) -> str | None:
    if not isinstance(stop_reason, str):
        return None
    return _FINISH.get(stop_reason, stop_reason)


def _stream_error(what: str, data: dict[str, Any]) -> TargetError:
    """An ``error`` event sent mid-stream, typed like the HTTP status it stands for."""
    found = data.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    kind = str(error.get("type", "error"))
    message = f"{what}: stream error {kind}: {error.get('message', '')}"
    if kind in _TRANSIENT_EVENTS:
        return TransientTargetError(message)
    if kind in ("authentication_error", "permission_error"):
        return AuthTargetError(message)
    return PermanentTargetError(message)


class AnthropicTarget(ResilientTarget):
    """A Claude model behind the Anthropic Messages API."""

    def __init__(
        self, identity: TargetIdentity, clients: ClientPool, limits: Limits | None = None
    ) -> None:
        super().__init__(identity, limits, secrets=clients.secrets)
        self._clients = clients
        self._what = f"{identity.endpoint} ({identity.model})"

    @classmethod
    def open(cls, spec: TargetSpec, limits: Limits) -> Self:
        """Connect lazily to ``spec.base_url`` with the key from the spec's environment variable."""
        if not spec.base_url:
            raise InputError(spec.model, "expected a base URL for the Anthropic target")
        base_url = spec.base_url.rstrip("/")
        headers = {"anthropic-version": API_VERSION}
        key = read_api_key(spec)
        if key:
            headers["x-api-key"] = key
        identity = TargetIdentity(
            provider="anthropic", model=spec.model, endpoint=without_userinfo(base_url)
        )
        return cls(identity, ClientPool(base_url, headers, limits), limits)

    def _payload(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        turns = _turns(request.messages)
        payload: dict[str, Any] = {
            "model": self.identity.model,
            "messages": turns,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if system:
            payload["system"] = system
        if request.stop:
            payload["stop_sequences"] = list(request.stop)
        if request.tools:
            payload["tools"] = list(request.tools)
        if stream:
            payload["stream"] = True
        return payload

    async def _chat_once(self, request: ChatRequest) -> Completion:
        payload = self._payload(request, stream=False)
        data, total = await self._clients.post_json("/v1/messages", payload, self._what)
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise TransientTargetError(f"{self._what}: response has no content")
        text: list[str] = []
        thinking: list[str] = []
        tool_calls: list[dict[str, Any]] = []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text":
                text.append(str(block.get("text", "")))
            elif block.get("type") == "thinking":
                thinking.append(str(block.get("thinking", "")))
            elif block.get("type") == "tool_use":
                tool_calls.append(block)
        found = data.get("usage")
        usage: dict[str, Any] = found if isinstance(found, dict) else {}
        reasoning = "".join(thinking)
        return Completion(
            text=with_thinking(reasoning, "".join(text)),
            finish_reason=_finish(data.get("stop_reason")),
            usage=Usage(prompt=usage.get("input_tokens"), completion=usage.get("output_tokens")),
            timing=Timing(ttft_s=None, total_s=total),
            model_id=str(data.get("model") or self.identity.model),
            tool_calls=tool_calls,
            raw={"thinking": reasoning} if reasoning else None,
        )

    async def _stream_once(self, request: ChatRequest) -> AsyncGenerator[StreamChunk, None]:
        start = time.perf_counter()
        payload = self._payload(request, stream=True)
        markup = ThinkingStream()
        finish: str | None = None
        usage = Usage()
        stopped = False
        async with aclosing(
            self._clients.stream_events("/v1/messages", payload, self._what)
        ) as events:
            async for name, raw in events:
                try:
                    data = json.loads(raw)
                except ValueError:
                    raise TransientTargetError(
                        f"{self._what}: stream sent an event that is not JSON"
                    ) from None
                kind = data.get("type", name)
                if kind == "error":
                    raise _stream_error(self._what, data)
                if kind == "message_start":
                    counts = (data.get("message") or {}).get("usage") or {}
                    usage = Usage(prompt=counts.get("input_tokens"))
                elif kind == "content_block_delta":
                    delta = data.get("delta") or {}
                    text = markup.reasoning(str(delta.get("thinking", "")))
                    text += markup.answer(str(delta.get("text", "")))
                    if text:
                        yield StreamChunk(text=text, at_s=time.perf_counter() - start)
                elif kind == "message_delta":
                    finish = _finish((data.get("delta") or {}).get("stop_reason"))
                    counts = data.get("usage") or {}
                    usage = Usage(prompt=usage.prompt, completion=counts.get("output_tokens"))
                elif kind == "message_stop":
                    stopped = True
                    break
        if not stopped:
            raise TransientTargetError(f"{self._what}: stream ended before message_stop")
        yield StreamChunk(
            text=markup.close(),
            at_s=time.perf_counter() - start,
            finish_reason=finish,
            usage=usage,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._clients.aclose()


def _turns(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The non-system turns in the Messages API's form. An assistant turn's tool calls become
    ``tool_use`` blocks; tool results become ``tool_result`` blocks of a user turn (several
    results in a row share one, as the API wants every result right after its call)."""
    turns: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system":
            continue
        if m.role == "tool":
            block = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content}
            last = turns[-1] if turns else None
            if last is not None and last["role"] == "user" and isinstance(last["content"], list):
                last["content"].append(block)
            else:
                turns.append({"role": "user", "content": [block]})
            continue
        if m.role == "assistant" and m.tool_calls:
            blocks: list[dict[str, Any]] = (
                [{"type": "text", "text": m.content}] if m.content else []
            )
            blocks += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": _input(c.arguments)}
                for c in m.tool_calls
            ]
            turns.append({"role": "assistant", "content": blocks})
            continue
        turns.append(
            {"role": "assistant" if m.role == "assistant" else "user", "content": m.content}
        )
    return turns


def _input(arguments: str) -> dict[str, Any]:
    """A call's arguments as the object ``tool_use.input`` needs (``{}`` when the text the
    model wrote is not a JSON object: the call is replayed, not repaired)."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
