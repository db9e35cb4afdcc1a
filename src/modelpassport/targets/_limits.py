"""Retries, timeouts, concurrency and rate limits shared by every backend.

Backends implement one attempt (``_chat_once`` / ``_stream_once``); ``ResilientTarget`` adds
the policy, so no backend re-implements backoff.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass

from pydantic import ValidationError

from ._errors import PermanentTargetError, TargetError, TransientTargetError
from ._redact import redact, redact_value
from ._types import ChatRequest, Completion, StreamChunk, TargetIdentity


@dataclass(frozen=True)
class Limits:
    """How hard to push a target and how patiently to retry it."""

    concurrency: int = 4
    requests_per_s: float | None = None
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    retry_after_max_s: float = 60.0
    # A body or stream longer than this is cut off and the request recorded as an error.
    max_response_bytes: int = 16 << 20

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.requests_per_s is not None and self.requests_per_s <= 0:
            raise ValueError("requests_per_s must be positive")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.max_retries < 0:
            raise ValueError("max_retries must be zero or more")
        if self.retry_after_max_s < 0:
            raise ValueError("retry_after_max_s must be zero or more")
        if self.max_response_bytes < 1024:
            raise ValueError("max_response_bytes must be at least 1024")


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart (a leaky bucket of size one)."""

    def __init__(self, requests_per_s: float | None) -> None:
        self._interval = 1.0 / requests_per_s if requests_per_s else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Block until this caller may start a request."""
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


def malformed_answer(exc: ValidationError) -> TransientTargetError:
    """A server's answer whose fields are not what the protocol says (a number as text, a
    list as a count): an endpoint error naming the field, never a traceback."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(answer)"
    return TransientTargetError(f"malformed answer from the target: {where}: {first['msg']}")


def backoff_delay(attempt: int, limits: Limits, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(max, base * 2**attempt)]."""
    ceiling = min(limits.backoff_max_s, limits.backoff_base_s * (2**attempt))
    return rng.uniform(0.0, ceiling)


class ResilientTarget:
    """Base class adding limits and retries around a backend's single attempt."""

    identity: TargetIdentity

    def __init__(
        self,
        identity: TargetIdentity,
        limits: Limits | None = None,
        *,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.identity = identity
        self._secrets = secrets
        self.limits = limits or Limits()
        self._semaphore = asyncio.Semaphore(self.limits.concurrency)
        self._rate = RateLimiter(self.limits.requests_per_s)
        self._rng = random.Random()

    async def _chat_once(self, request: ChatRequest) -> Completion:
        raise NotImplementedError

    def _stream_once(self, request: ChatRequest) -> AsyncGenerator[StreamChunk, None]:
        raise NotImplementedError

    def _retry_delay(self, error: TransientTargetError, attempt: int) -> float:
        """The server's Retry-After when it sent one (capped), else jittered backoff."""
        if error.retry_after_s is not None:
            return min(error.retry_after_s, self.limits.retry_after_max_s)
        return backoff_delay(attempt, self.limits, self._rng)

    def _clean(self, completion: Completion) -> Completion:
        """The completion with this target's credentials removed from everything in it."""
        if not self._secrets:
            return completion
        return completion.model_copy(
            update={
                "text": redact(completion.text, self._secrets),
                "model_id": redact(completion.model_id, self._secrets),
                "tool_calls": redact_value(completion.tool_calls, self._secrets),
                "raw": redact_value(completion.raw, self._secrets),
            }
        )

    def _clean_error(self, error: TargetError) -> TargetError:
        error.args = tuple(redact(str(a), self._secrets) for a in error.args)
        return error

    async def chat(self, request: ChatRequest) -> Completion:
        """Answer one request, retrying transient failures with jittered backoff; what
        comes back (answer or error) never holds this target's credentials."""
        try:
            return self._clean(await self._chat_retrying(request))
        except TargetError as exc:
            raise self._clean_error(exc) from None

    async def _chat_retrying(self, request: ChatRequest) -> Completion:
        attempt = 0
        while True:
            async with self._semaphore:
                await self._rate.wait()
                try:
                    async with asyncio.timeout(self.limits.timeout_s):
                        return await self._chat_once(request)
                except TimeoutError:
                    error: TransientTargetError = TransientTargetError(
                        f"no answer within {self.limits.timeout_s:g} s"
                    )
                except TransientTargetError as exc:
                    error = exc
                except PermanentTargetError:
                    raise
                except ValidationError as exc:
                    error = malformed_answer(exc)
            if attempt >= self.limits.max_retries:
                raise error
            await asyncio.sleep(self._retry_delay(error, attempt))
            attempt += 1

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        """Stream one request under the concurrency and rate limits (no retry mid-stream).

        A consumer that stops early closes the backend's stream at once (not whenever it is
        garbage collected), so its connection or model lock is released before the next call.
        """
        async with self._semaphore:
            await self._rate.wait()
            async with aclosing(self._stream_once(request)) as chunks:
                try:
                    async for chunk in chunks:
                        if self._secrets:
                            chunk = chunk.model_copy(
                                update={"text": redact(chunk.text, self._secrets)}
                            )
                        yield chunk
                except ValidationError as exc:
                    raise self._clean_error(malformed_answer(exc)) from None
                except TargetError as exc:
                    raise self._clean_error(exc) from None

    async def aclose(self) -> None:
        """Nothing to release by default."""
