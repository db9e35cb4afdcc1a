"""OpenAI-compatible chat completions: vLLM, SGLang, Ollama, llama.cpp server, TGI, OpenAI,
DeepSeek and anything else that serves ``POST {base_url}/chat/completions``.

Reasoning that servers send apart from the answer (DeepSeek and vLLM ``reasoning_content``,
some servers ``reasoning``) is kept as sent in ``Completion.raw`` and also put in the text
as ``<think>...</think>`` before the answer, the markup open-weight reasoning models use
themselves, so scorers strip it the same way whichever server produced it.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, Self

from modelpassport.errors import InputError

from ._errors import TransientTargetError
from ._http import ClientPool
from ._limits import Limits, ResilientTarget
from ._redact import without_userinfo
from ._registry import TargetSpec, read_api_key
from ._text import ThinkingStream, with_thinking
from ._types import ChatRequest, Completion, StreamChunk, TargetIdentity, Timing, Usage


def _reasoning(fields: dict[str, Any]) -> str:
    """Reasoning text in a message or delta, under either name servers use for it."""
    for key in ("reasoning_content", "reasoning"):
        value = fields.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _usage(data: dict[str, Any]) -> Usage | None:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None
    return Usage(prompt=usage.get("prompt_tokens"), completion=usage.get("completion_tokens"))


class OpenAICompatTarget(ResilientTarget):
    """A model behind an OpenAI-compatible ``/chat/completions`` endpoint."""

    def __init__(
        self,
        identity: TargetIdentity,
        clients: ClientPool,
        limits: Limits | None = None,
        *,
        length_field: str = "max_tokens",
    ) -> None:
        super().__init__(identity, limits, secrets=clients.secrets)
        self._clients = clients
        self._what = f"{identity.endpoint} ({identity.model})"
        self._length_field = length_field

    @classmethod
    def open(cls, spec: TargetSpec, limits: Limits) -> Self:
        """Connect lazily to ``spec.base_url``; the API key (if any) is sent as a Bearer token."""
        if not spec.base_url:
            raise InputError(spec.model, "expected a base URL for the OpenAI-compatible target")
        base_url = spec.base_url.rstrip("/")
        key = read_api_key(spec)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        identity = TargetIdentity(
            provider="openai_compat", model=spec.model, endpoint=without_userinfo(base_url)
        )
        # OpenAI's own API rejects max_tokens for its reasoning models and accepts
        # max_completion_tokens for all; servers that copy its API know only max_tokens.
        field = "max_completion_tokens" if spec.vendor == "openai" else "max_tokens"
        return cls(identity, ClientPool(base_url, headers, limits), limits, length_field=field)

    def _payload(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.identity.model,
            "messages": [m.wire() for m in request.messages],
            self._length_field: request.max_tokens,
            "temperature": request.temperature,
        }
        if request.seed is not None:
            payload["seed"] = request.seed
        if request.stop:
            payload["stop"] = list(request.stop)
        if request.tools:
            payload["tools"] = list(request.tools)
        if stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        return payload

    async def _chat_once(self, request: ChatRequest) -> Completion:
        payload = self._payload(request, stream=False)
        data, total = await self._clients.post_json("/chat/completions", payload, self._what)
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise TransientTargetError(f"{self._what}: response has no choices")
        choice = choices[0]
        found = choice.get("message")
        message: dict[str, Any] = found if isinstance(found, dict) else {}
        content = message.get("content")
        reasoning = _reasoning(message)
        raw: dict[str, Any] = {}
        if reasoning:
            raw["reasoning_content"] = reasoning
        if data.get("system_fingerprint"):
            raw["system_fingerprint"] = data["system_fingerprint"]
        tool_calls = message.get("tool_calls")
        return Completion(
            text=with_thinking(reasoning, content if isinstance(content, str) else ""),
            finish_reason=choice.get("finish_reason"),
            usage=_usage(data) or Usage(),
            timing=Timing(ttft_s=None, total_s=total),
            model_id=str(data.get("model") or self.identity.model),
            tool_calls=tool_calls if isinstance(tool_calls, list) else [],
            raw=raw or None,
        )

    def _stream_event(self, data: str) -> dict[str, Any]:
        """One SSE data payload as a chunk object; error events and garbage raise (transient)."""
        try:
            event = json.loads(data)
        except ValueError:
            raise TransientTargetError(
                f"{self._what}: stream sent a chunk that is not JSON"
            ) from None
        if not isinstance(event, dict):
            raise TransientTargetError(f"{self._what}: stream sent a chunk that is not an object")
        # OpenAI and llama.cpp: {"error": {...}}; vLLM: {"object": "error", "message": ...}.
        error = event.get("error")
        if isinstance(error, dict) or event.get("object") == "error":
            detail = error.get("message") if isinstance(error, dict) else event.get("message")
            raise TransientTargetError(f"{self._what}: stream error: {detail}")
        return event

    async def _stream_once(self, request: ChatRequest) -> AsyncGenerator[StreamChunk, None]:
        start = time.perf_counter()
        payload = self._payload(request, stream=True)
        markup = ThinkingStream()
        finish: str | None = None
        usage: Usage | None = None
        done = False
        async with aclosing(
            self._clients.stream_events("/chat/completions", payload, self._what)
        ) as events:
            async for _, data in events:
                if data.strip() == "[DONE]":
                    done = True
                    break
                event = self._stream_event(data)
                usage = _usage(event) or usage
                for choice in event.get("choices") or ():
                    if not isinstance(choice, dict):
                        continue
                    delta = choice.get("delta") or {}
                    text = markup.reasoning(_reasoning(delta))
                    content = delta.get("content")
                    text += markup.answer(content if isinstance(content, str) else "")
                    finish = choice.get("finish_reason") or finish
                    if text:
                        yield StreamChunk(text=text, at_s=time.perf_counter() - start)
        if not done and finish is None:
            raise TransientTargetError(f"{self._what}: stream ended before it finished")
        yield StreamChunk(
            text=markup.close(),
            at_s=time.perf_counter() - start,
            finish_reason=finish,
            usage=usage,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._clients.aclose()
