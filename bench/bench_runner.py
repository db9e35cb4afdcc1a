"""Runner overhead: modelpassport's runner + journal + OpenAI target vs a bare httpx loop.

Every client sends the same number of chat requests at the same concurrency to one
zero-latency OpenAI-compatible server on 127.0.0.1. The server runs in its own process (a
raw asyncio HTTP/1.1 keep-alive server) so it does not share the clients' GIL. Each round
runs, in an order rotated every round: the obvious bare loop (one httpx client), the bare
loop over the connection layout modelpassport uses (4 connections per client), and
modelpassport's runner with its journal and OpenAI-compatible target. Medians of
throughput and client CPU per request are printed, with the ratios (goal >= 0.9 against
the bare loop).

    .venv/bin/python bench/bench_runner.py [--requests 2000] [--concurrency 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from modelpassport.probes import run_requests
from modelpassport.store import Journal
from modelpassport.targets import (
    ChatRequest,
    Completion,
    Limits,
    Message,
    StreamChunk,
    TargetIdentity,
    TargetSpec,
    Timing,
    Usage,
    open_target,
)

_BODY = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Paris is the capital of France."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
    }
).encode()
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_BODY)).encode()
    + b"\r\n\r\n"
    + _BODY
)


class _Http(asyncio.Protocol):
    """Answers every complete request on a keep-alive connection with the canned response."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self._buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            assert self._transport is not None
            self._transport.write(_RESPONSE)


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def _requests(count: int, tag: str) -> list[ChatRequest]:
    """Distinct requests (so none is served from the journal), the size of a probe item."""
    return [
        ChatRequest(
            messages=(
                Message(role="system", content="Answer briefly and factually."),
                Message(role="user", content=f"[{tag}] Question {i}: what is the capital?"),
            ),
            max_tokens=64,
        )
        for i in range(count)
    ]


async def _bare(
    base_url: str, requests: list[ChatRequest], concurrency: int, per_client: int
) -> None:
    """The baseline: a plain httpx loop, no journal, no retries, no validation.

    ``per_client`` connections per ``AsyncClient``: ``concurrency`` is the obvious loop (one
    client), 4 is the layout modelpassport's target uses.
    """
    count = -(-concurrency // per_client)
    pool = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    tls = httpx.create_ssl_context()  # CA roots loaded once, as modelpassport's target does
    clients = [
        httpx.AsyncClient(base_url=base_url, limits=pool, timeout=60, verify=tls)
        for _ in range(count)
    ]
    queue = list(reversed(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            request = queue.pop()
            payload = {
                "model": "bench",
                "messages": [{"role": m.role, "content": m.content} for m in request.messages],
                "max_tokens": request.max_tokens,
                "temperature": request.temperature,
            }
            response = await client.post("/chat/completions", json=payload)
            response.raise_for_status()
            response.json()

    try:
        await asyncio.gather(*(worker(clients[i % count]) for i in range(concurrency)))
    finally:
        for client in clients:
            await client.aclose()


async def _modelpassport(
    base_url: str, requests: list[ChatRequest], concurrency: int, journal_path: Path
) -> None:
    """The runner as stages use it: journal on, OpenAI-compatible target."""
    spec = TargetSpec("openai_compat", "bench", base_url=base_url)
    target = open_target(spec, Limits(concurrency=concurrency, timeout_s=60))
    journal = Journal(journal_path)
    try:
        outcomes = await run_requests(
            target, requests, journal, stage="bench", concurrency=concurrency
        )
    finally:
        journal.close()
        await target.aclose()
    failed = [o.error for o in outcomes if o.error is not None]
    if failed:
        raise SystemExit(f"benchmark requests failed: {failed[0]}")


@dataclass
class _Figures:
    """Throughput (requests/s, wall clock) and client CPU (microseconds/request) per round."""

    rate: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def measure(self, run: Coroutine[Any, Any, None], count: int) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(run)
        self.rate.append(count / (time.perf_counter() - wall))
        self.cpu_us.append(1e6 * (time.process_time() - cpu) / count)

    def line(self, name: str) -> str:
        return (
            f"{name:<34} {statistics.median(self.rate):8.0f} req/s   "
            f"{statistics.median(self.cpu_us):7.0f} us CPU/req"
        )


class _Instant:
    """A target that answers at once without I/O: isolates the runner's and journal's cost."""

    identity = TargetIdentity(provider="instant", model="bench")

    def __init__(self) -> None:
        self._answer = Completion(
            text="Paris is the capital of France.",
            finish_reason="stop",
            usage=Usage(prompt=12, completion=7),
            timing=Timing(total_s=0.0),
            model_id="bench",
        )

    async def chat(self, request: ChatRequest) -> Completion:
        await asyncio.sleep(0)  # one event-loop turn, as a network answer would take
        return self._answer

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        raise NotImplementedError("the runner benchmark only sends chat requests")

    async def aclose(self) -> None:
        """Nothing to release."""


def _runner_only_cpu_us(count: int, concurrency: int, journal_path: Path) -> float:
    """CPU microseconds per request of run_requests + journal alone (instant target)."""
    journal = Journal(journal_path)
    requests = _requests(count, "instant")
    cpu = time.process_time()
    try:
        asyncio.run(
            run_requests(_Instant(), requests, journal, stage="bench", concurrency=concurrency)
        )
    finally:
        journal.close()
    return 1e6 * (time.process_time() - cpu) / count


def main() -> None:
    """Start the server process, alternate rounds of both clients, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url = f"http://127.0.0.1:{int(server.stdout.readline())}/v1"
        bare, split, ours = _Figures(), _Figures(), _Figures()
        n, c = args.requests, args.concurrency
        with tempfile.TemporaryDirectory() as tmp:
            for round_no in range(args.rounds):
                tag = f"r{round_no}"
                journal = Path(tmp) / f"journal-{round_no}.sqlite"
                runs: list[tuple[_Figures, Coroutine[Any, Any, None]]] = [
                    (bare, _bare(base_url, _requests(n, tag), c, c)),
                    (split, _bare(base_url, _requests(n, tag), c, 4)),
                    (ours, _modelpassport(base_url, _requests(n, tag), c, journal)),
                ]
                # Rotate the order each round so no client always runs first or last.
                shift = round_no % len(runs)
                for figures, run in runs[shift:] + runs[:shift]:
                    figures.measure(run, n)
                print(
                    f"round {round_no + 1}: bare {bare.rate[-1]:.0f}, bare split "
                    f"{split.rate[-1]:.0f}, modelpassport {ours.rate[-1]:.0f} req/s"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"requests={n} concurrency={c} rounds={args.rounds} (medians)")
    print(bare.line("bare httpx, one client"))
    print(split.line("bare httpx, 4 connections/client"))
    print(ours.line("modelpassport runner + journal"))
    # Paired per-round ratios: each compares runs made seconds apart, so machine load that
    # drifts between rounds cancels out better than in a ratio of overall medians.
    ratio = statistics.median(o / b for o, b in zip(ours.rate, bare.rate, strict=True))
    same = statistics.median(o / b for o, b in zip(ours.rate, split.rate, strict=True))
    print(f"ratio vs bare httpx loop (median of rounds): {ratio:.2f} (goal >= 0.90)")
    print(f"ratio vs bare loop with the same connection layout: {same:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        alone = _runner_only_cpu_us(n, c, Path(tmp) / "journal.sqlite")
    print(f"runner + journal alone (instant in-memory target): {alone:.0f} us CPU/req")


if __name__ == "__main__":
    main()
