"""Streams that stop at ``[DONE]`` keep their connection alive, and never hang on it.

A raw asyncio server on 127.0.0.1 counts the TCP connections it accepts; it answers every
request with an OpenAI-style SSE stream, either framed by Content-Length (the body ends with
``[DONE]``) or chunked with the terminating chunk withheld (a server that keeps the stream
open after its last event).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from modelpassport.targets import Limits, TargetSpec, open_target

from .conftest import ask, collect


def _events() -> bytes:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"content": "Hello"}}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    return body + b"data: [DONE]\n\n"


class _Server(asyncio.Protocol):
    def __init__(self, accepted: list[int], open_ended: bool) -> None:
        self._accepted = accepted
        self._open_ended = open_ended
        self._pending = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._accepted.append(1)

    def data_received(self, data: bytes) -> None:
        self._pending += data
        end = self._pending.find(b"\r\n\r\n")
        if end < 0:
            return
        length = 0
        for line in self._pending[:end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(self._pending) < end + 4 + length:
            return
        self._pending = self._pending[end + 4 + length :]
        body = _events()
        assert self._transport is not None
        if self._open_ended:
            chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            self._transport.write(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunk)
        else:
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            self._transport.write(head + body)


@asynccontextmanager
async def _serve(accepted: list[int], open_ended: bool) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Server(accepted, open_ended), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
    finally:
        server.close()


async def test_streams_ending_at_done_reuse_one_connection() -> None:
    accepted: list[int] = []
    async with _serve(accepted, open_ended=False) as base_url:
        target = open_target(TargetSpec("openai_compat", "m", base_url=base_url), Limits())
        try:
            answers = [await collect(target, ask()) for _ in range(5)]
        finally:
            await target.aclose()
    assert ["".join(c.text for c in chunks) for chunks in answers] == ["Hello"] * 5
    assert all(chunks[-1].finish_reason == "stop" for chunks in answers)
    assert len(accepted) == 1


async def test_stream_held_open_after_done_still_finishes() -> None:
    accepted: list[int] = []
    async with _serve(accepted, open_ended=True) as base_url:
        spec = TargetSpec("openai_compat", "m", base_url=base_url)
        target = open_target(spec, Limits(timeout_s=5.0, max_retries=0))
        try:
            first = await collect(target, ask())
            second = await collect(target, ask())
        finally:
            await target.aclose()
    for chunks in (first, second):
        assert "".join(c.text for c in chunks) == "Hello"
        assert chunks[-1].finish_reason == "stop"
    assert len(accepted) == 2
