"""Load-generator ceiling: modelpassport's bench load generator vs a bare asyncio+httpx loop.

Both clients stream the same number of chat completions at the same concurrency from one
zero-latency OpenAI-compatible streaming server on 127.0.0.1, which runs in its own process
(raw asyncio, HTTP/1.1 keep-alive, every answer an SSE stream of ``--chunks`` content deltas,
a finish chunk, a usage chunk and ``[DONE]``; ``start_server`` can also hold back the first
delta and space the rest by fixed delays, for benchmarks that need known latencies). With the
server answering instantly, requests
per second measure the client itself: how fast it can send, parse and time streams. Rounds
alternate between the two clients; the ratio of median requests/s is printed (goal >= 0.95),
and so is the ratio of client CPU time per request (this process only; the server is another
process), which other load on a shared machine disturbs far less than wall-clock rates.

    .venv/bin/python bench/bench_loadgen.py [--requests 1000] [--concurrency 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time

import httpx

from modelpassport.bench import Level, closed_loop, summarise
from modelpassport.passport.sections.bench import Slo
from modelpassport.targets import ChatRequest, Limits, Message, TargetSpec, open_target


def _sse_response(chunks: int) -> tuple[bytes, list[bytes]]:
    """One streamed answer as (head, events): Content-Length framing keeps keep-alive simple.

    Events are the role delta, one event per content delta, then finish, usage and ``[DONE]``
    together, so a delayed server can send content deltas one at a time.
    """
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "bench"}
    events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    for i in range(chunks):
        choice = {"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}
        events.append({**base, "choices": [choice]})
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]})
    usage = {"prompt_tokens": 16, "completion_tokens": chunks, "total_tokens": 16 + chunks}
    events.append({**base, "choices": [], "usage": usage})
    framed = [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events]
    parts = [
        framed[0],
        *framed[1 : chunks + 1],
        b"".join(framed[chunks + 1 :]) + b"data: [DONE]\n\n",
    ]
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
        + str(sum(len(part) for part in parts)).encode()
        + b"\r\n\r\n"
    )
    return head, parts


class _Streamer(asyncio.Protocol):
    """Answers each complete request on a connection with the canned stream.

    With zero delays the whole answer goes out in one write; otherwise the first content delta
    is sent ``ttft_s`` after the request and each later one ``itl_s`` after the previous.
    """

    def __init__(self, head: bytes, parts: list[bytes], ttft_s: float, itl_s: float) -> None:
        self._whole = head + b"".join(parts)
        self._head = head
        self._parts = parts
        self._ttft_s = ttft_s
        self._itl_s = itl_s
        self._pending = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._pending += data
        while (end := self._pending.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self._pending[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self._pending) < end + 4 + length:
                return
            self._pending = self._pending[end + 4 + length :]
            assert self._transport is not None
            if self._ttft_s <= 0 and self._itl_s <= 0:
                self._transport.write(self._whole)
            else:
                self._schedule(self._transport)

    def _schedule(self, transport: asyncio.Transport) -> None:
        """Timed writes: head and role delta now, content deltas at ttft + i * itl."""
        loop = asyncio.get_running_loop()
        transport.write(self._head + self._parts[0])
        for i, part in enumerate(self._parts[1:]):
            delay = self._ttft_s + max(0, min(i, len(self._parts) - 3)) * self._itl_s
            loop.call_later(delay, self._send, transport, part)

    @staticmethod
    def _send(transport: asyncio.Transport, part: bytes) -> None:
        if not transport.is_closing():
            transport.write(part)


async def _serve(chunks: int, ttft_s: float, itl_s: float) -> None:
    head, parts = _sse_response(chunks)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Streamer(head, parts, ttft_s, itl_s), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def start_server(
    chunks: int, ttft_s: float = 0.0, itl_s: float = 0.0
) -> tuple[subprocess.Popen[str], str]:
    """Start the streaming server in its own process; returns it and its ``/v1`` base URL.

    A separate process keeps the server's work off the measured client's CPU and event loop.
    The caller terminates the process.
    """
    command = [sys.executable, __file__, "--serve", "--chunks", str(chunks)]
    command += ["--ttft-s", str(ttft_s), "--itl-s", str(itl_s)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, f"http://127.0.0.1:{int(server.stdout.readline())}/v1"


def _request(index: int) -> ChatRequest:
    text = f"Request {index}. Continue the story of the harbour town."
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=32)


async def _bare(base_url: str, requests: int, concurrency: int) -> float:
    """Baseline: httpx streams parsed line by line, first-token time kept; returns req/s."""
    pool = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=pool, timeout=60) as client:
        numbers = iter(range(requests))
        firsts: list[float] = []

        async def worker() -> None:
            for index in numbers:
                request = _request(index)
                payload = {
                    "model": "bench",
                    "messages": [{"role": m.role, "content": m.content} for m in request.messages],
                    "max_tokens": request.max_tokens,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                }
                sent = time.perf_counter()
                first = None
                async with client.stream("POST", "/chat/completions", json=payload) as response:
                    async for line in response.aiter_lines():
                        if not line.startswith("data: ") or line == "data: [DONE]":
                            continue
                        event = json.loads(line[6:])
                        for choice in event.get("choices") or ():
                            if first is None and (choice.get("delta") or {}).get("content"):
                                first = time.perf_counter() - sent
                firsts.append(first or 0.0)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return requests / elapsed


async def _loadgen(base_url: str, requests: int, concurrency: int) -> float:
    """modelpassport's closed loop through the OpenAI-compatible target; returns req/s."""
    spec = TargetSpec("openai_compat", "bench", base_url=base_url)
    target = open_target(spec, Limits(concurrency=concurrency, timeout_s=60, max_retries=0))
    try:
        run = await closed_loop(
            target, _request, concurrency=concurrency, requests=requests, timeout_s=60
        )
    finally:
        await target.aclose()
    point = summarise(run, Level(concurrency=concurrency), max_tokens=32, slo=Slo(), tokenizer=None)
    if not point.valid or point.requests_per_s is None:
        raise SystemExit(f"benchmark point invalid: {point.invalid_reasons} {point.errors}")
    return point.requests_per_s


def main() -> None:
    """Start the server process, alternate rounds of both clients, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=32, help="content deltas per answer")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ttft-s", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--itl-s", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.chunks, args.ttft_s, args.itl_s))
        return
    server, base_url = start_server(args.chunks)
    bare: list[float] = []
    ours: list[float] = []
    bare_cpu: list[float] = []
    ours_cpu: list[float] = []
    try:
        for number in range(args.rounds):
            cpu = time.process_time()
            bare.append(asyncio.run(_bare(base_url, args.requests, args.concurrency)))
            bare_cpu.append((time.process_time() - cpu) / args.requests * 1000)
            cpu = time.process_time()
            ours.append(asyncio.run(_loadgen(base_url, args.requests, args.concurrency)))
            ours_cpu.append((time.process_time() - cpu) / args.requests * 1000)
            print(
                f"round {number + 1}: bare asyncio+httpx {bare[-1]:7.0f} req/s "
                f"{bare_cpu[-1]:5.2f} CPU ms/req   modelpassport bench {ours[-1]:7.0f} req/s "
                f"{ours_cpu[-1]:5.2f} CPU ms/req"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    ratio = statistics.median(ours) / statistics.median(bare)
    print(
        f"requests={args.requests} concurrency={args.concurrency} chunks={args.chunks} "
        f"rounds={args.rounds}"
    )
    cpu_ratio = statistics.median(bare_cpu) / statistics.median(ours_cpu)
    print(
        f"bare asyncio+httpx:  {statistics.median(bare):7.0f} req/s, "
        f"{statistics.median(bare_cpu):.2f} CPU ms/req (medians)"
    )
    print(
        f"modelpassport bench: {statistics.median(ours):7.0f} req/s, "
        f"{statistics.median(ours_cpu):.2f} CPU ms/req (medians)"
    )
    print(f"ratio, requests/s: {ratio:.2f} (goal >= 0.95)")
    print(f"ratio, requests per CPU second: {cpu_ratio:.2f} (steadier on a shared machine)")


if __name__ == "__main__":
    main()
