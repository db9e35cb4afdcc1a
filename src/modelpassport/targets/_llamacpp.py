"""A GGUF model run in process by llama.cpp (``llama-cpp-python``), with its own chat template.

llama.cpp contexts are not thread-safe, so one generation runs at a time: calls go to a
worker thread and take a ``threading.Lock`` there. The lock lives in the thread, not the
event loop, so a request that timed out on the asyncio side cannot let a second generation
start while the first is still running. Streaming pushes each piece from the thread to the
loop through a queue; a consumer that stops early makes the thread stop at the next token.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any, Self

from modelpassport.errors import InputError

from ._errors import PermanentTargetError, TargetError, TransientTargetError
from ._limits import Limits, ResilientTarget
from ._registry import TargetSpec
from ._types import ChatRequest, Completion, StreamChunk, TargetIdentity, Timing, Usage

_EDGE_BYTES = 1024 * 1024
_GGUF_MAGIC = b"GGUF"


def file_fingerprint(path: Path) -> str:
    """sha256 over the file size and its first and last MiB.

    Cheap even for 100 GB files, yet two different files that share a name (a re-quantised
    model, another download) get different fingerprints, so the journal never serves one
    file's cached answers for another.
    """
    digest = hashlib.sha256()
    size = path.stat().st_size
    digest.update(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_EDGE_BYTES))
        if size > _EDGE_BYTES:
            handle.seek(max(size - _EDGE_BYTES, _EDGE_BYTES))
            digest.update(handle.read(_EDGE_BYTES))
    return digest.hexdigest()


def _check_gguf(path: Path) -> None:
    """Fail with one line before llama.cpp sees a file that is not GGUF."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise InputError(path, f"cannot read the model file ({exc.strerror})") from None
    if magic != _GGUF_MAGIC:
        raise InputError(path, "expected a GGUF file (it does not start with 'GGUF')")


def _generation_error(exc: Exception) -> TargetError:
    """llama.cpp failures: a bad request (prompt too long) is permanent, the rest may pass."""
    if isinstance(exc, ValueError):
        return PermanentTargetError(f"llama.cpp rejected the request: {exc}")
    return TransientTargetError(f"llama.cpp failed: {type(exc).__name__}: {exc}")


class LlamaCppTarget(ResilientTarget):
    """A local GGUF answered in process; temperature 0 is greedy, the seed is honoured."""

    def __init__(
        self, path: Path, llm: Any, fingerprint: str, limits: Limits | None = None
    ) -> None:
        identity = TargetIdentity(provider="llamacpp", model=path.stem, fingerprint=fingerprint)
        super().__init__(identity, limits)
        self._llm = llm
        self._lock = threading.Lock()

    @classmethod
    def open(cls, spec: TargetSpec, limits: Limits, *, n_ctx: int = 4096) -> Self:
        """Load the GGUF at ``spec.path`` (its own chat template, all CPU cores)."""
        path = spec.path or Path(spec.model)
        _check_gguf(path)
        from llama_cpp import Llama

        try:
            llm = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=os.cpu_count(),
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise InputError(path, f"llama.cpp could not load it ({exc})") from None
        return cls(path, llm, file_fingerprint(path), limits)

    def _arguments(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "messages": [m.wire() for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": stream,
        }
        if request.seed is not None:
            arguments["seed"] = request.seed
        if request.stop:
            arguments["stop"] = list(request.stop)
        if request.tools:
            arguments["tools"] = list(request.tools)
        return arguments

    def _complete(self, request: ChatRequest) -> dict[str, Any]:
        with self._lock:
            try:
                result: dict[str, Any] = self._llm.create_chat_completion(
                    **self._arguments(request, stream=False)
                )
            except (ValueError, RuntimeError) as exc:
                raise _generation_error(exc) from None
        return result

    async def _chat_once(self, request: ChatRequest) -> Completion:
        start = time.perf_counter()
        data = await asyncio.to_thread(self._complete, request)
        total = time.perf_counter() - start
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        tool_calls = message.get("tool_calls")
        return Completion(
            text=message.get("content") or "",
            finish_reason=choice.get("finish_reason"),
            usage=Usage(
                prompt=usage.get("prompt_tokens"), completion=usage.get("completion_tokens")
            ),
            timing=Timing(ttft_s=None, total_s=total),
            model_id=self.identity.model,
            tool_calls=tool_calls if isinstance(tool_calls, list) else [],
        )

    def _pieces(
        self, request: ChatRequest, stop: threading.Event
    ) -> Iterator[tuple[str, str | None]]:
        """(text, finish_reason) per streamed token, holding the lock until done or stopped."""
        with self._lock:
            try:
                chunks = self._llm.create_chat_completion(**self._arguments(request, stream=True))
                for chunk in chunks:
                    if stop.is_set():
                        return
                    choice = chunk["choices"][0]
                    content = (choice.get("delta") or {}).get("content")
                    yield (content or "", choice.get("finish_reason"))
            except (ValueError, RuntimeError) as exc:
                raise _generation_error(exc) from None

    async def _stream_once(self, request: ChatRequest) -> AsyncGenerator[StreamChunk, None]:
        """Stream tokens; usage counts the streamed pieces (llama.cpp streams one per token)."""
        start = time.perf_counter()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, str | None] | BaseException | None] = asyncio.Queue()
        stop = threading.Event()

        def push(item: tuple[str, str | None] | BaseException | None) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def produce() -> None:
            try:
                for piece in self._pieces(request, stop):
                    push(piece)
            except BaseException as exc:  # handed to the consumer, which re-raises it
                push(exc)
            else:
                push(None)

        worker = asyncio.ensure_future(asyncio.to_thread(produce))
        finish: str | None = None
        pieces = 0
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                text, reason = item
                finish = reason or finish
                if text:
                    pieces += 1
                    yield StreamChunk(text=text, at_s=time.perf_counter() - start)
        finally:
            stop.set()
        await worker
        yield StreamChunk(
            text="",
            at_s=time.perf_counter() - start,
            finish_reason=finish,
            usage=Usage(completion=pieces),
        )

    async def aclose(self) -> None:
        """Free the model's memory once no generation holds it."""

        def close() -> None:
            with self._lock:
                self._llm.close()

        await asyncio.to_thread(close)
