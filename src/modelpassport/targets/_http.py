"""HTTP plumbing shared by the HTTP backends: client setup, error mapping, SSE parsing.

Every endpoint failure leaves here as a typed target error: statuses a retry can fix
(408, 409, 425, 429, 5xx including Anthropic's 529) and transport failures (timeouts,
refused or dropped connections) are transient; other 4xx are permanent. The server's own
error message is kept, truncated, so the passport says what the endpoint said.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from ._errors import AuthTargetError, PermanentTargetError, TargetError, TransientTargetError
from ._limits import Limits
from ._redact import credentials

_TRANSIENT_STATUS = frozenset({408, 409, 425, 429})
_MESSAGE_LIMIT = 300
_DRAIN_S = 0.05


_CONNECTIONS_PER_CLIENT = 4


class ClientPool:
    """A target's HTTP clients: ``concurrency`` keep-alive connections split over small pools.

    httpcore scans every connection of a pool, with a readability syscall per idle one, each
    time a request starts or ends, so one pool of 32 connections spends milliseconds of CPU
    per request (measured in bench/bench_runner.py). Pools of a few connections keep that
    scan short; each request goes to the pool with the fewest requests in flight.
    """

    def __init__(self, base_url: str, headers: dict[str, str], limits: Limits) -> None:
        count = -(-limits.concurrency // _CONNECTIONS_PER_CLIENT)
        size = -(-limits.concurrency // count)
        tls = httpx.create_ssl_context(trust_env=True)  # loading CA roots once, not per client
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url,
                headers=headers,
                verify=tls,
                timeout=httpx.Timeout(limits.timeout_s),
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            )
            for _ in range(count)
        ]
        self._busy = [0] * count
        self._cap = limits.max_response_bytes
        self.secrets = credentials(headers, base_url)

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        """The least busy client, counted busy until the block (and any stream in it) ends."""
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        try:
            yield self._clients[index]
        finally:
            self._busy[index] -= 1

    async def post_json(
        self, path: str, payload: dict[str, Any], what: str
    ) -> tuple[dict[str, Any], float]:
        """POST ``payload`` and decode the JSON answer; also return the seconds it took.

        One place for what every backend needs on a plain request: a leased client, typed
        transport and status errors, and a JSON object or a transient error.
        """
        start = time.perf_counter()
        with transport_errors(what):
            async with (
                self.lease() as client,
                client.stream("POST", path, json=payload) as response,
            ):
                body = b"".join([c async for c in _capped(response, self._cap, what)])
        total = time.perf_counter() - start
        if response.status_code != 200:
            raise status_error(response, body)
        return parse_json(body, what), total

    async def stream_events(
        self, path: str, payload: dict[str, Any], what: str
    ) -> AsyncGenerator[tuple[str, str], None]:
        """POST ``payload`` and yield the answer's server-sent events as (event, data).

        Use it under ``contextlib.aclosing`` so that stopping early releases the connection
        at once rather than when the generator is collected.
        """
        with transport_errors(what):
            async with (
                self.lease() as client,
                client.stream("POST", path, json=payload) as response,
            ):
                if response.status_code != 200:
                    body = b"".join([c async for c in _capped(response, self._cap, what)])
                    raise status_error(response, body)
                events = iter_sse(_capped(response, self._cap, what))
                try:
                    async for event in events:
                        yield event
                except GeneratorExit:
                    await _drain(events)
                    raise

    async def aclose(self) -> None:
        """Close every connection."""
        for client in self._clients:
            await client.aclose()


async def _capped(response: httpx.Response, cap: int, what: str) -> AsyncIterator[bytes]:
    """The body's bytes, ending in an error once more than ``cap`` have arrived.

    Why: a server that never ends its body (or its stream) would otherwise grow memory
    until the timeout; the cap bounds every answer and says so in the recorded error.
    """
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > cap:
            raise PermanentTargetError(
                f"{what}: answer longer than the {cap}-byte response cap "
                "(--max-response-mb); the rest was not read"
            )
        yield chunk


async def _drain(events: AsyncIterator[tuple[str, str]]) -> None:
    """Read what is left of a stream its reader stopped early (at ``[DONE]``), briefly.

    httpx keeps a connection alive only once it has read the body's end; a stream closed
    before that, even when only the end marker is left, costs the next request a new TCP
    connection, which showed up as extra TTFT (bench/bench_guidellm.py). A server that keeps
    the stream open after its last event is given up on after ``_DRAIN_S``.
    """
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(_DRAIN_S):
            async for _ in events:
                pass


def _server_message(body: bytes) -> str:
    """The error text a server put in its body, whatever its dialect."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text
    # OpenAI / Anthropic / vLLM: {"error": {"message": ...}}; TGI / Ollama: {"error": "..."};
    # FastAPI-style servers: {"detail": ...}; some vLLM versions: {"message": ...}.
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("error", "message", "detail"):
            if data.get(key):
                value = data[key]
                return value if isinstance(value, str) else json.dumps(value)
    return text


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def retry_after_s(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``Retry-After`` seconds or date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def status_error(response: httpx.Response, body: bytes) -> TargetError:
    """The typed error for a non-success response."""
    status = response.status_code
    message = _truncate(f"HTTP {status} from {response.url}: {_server_message(body)}")
    if status in _TRANSIENT_STATUS or status >= 500:
        return TransientTargetError(
            message, status=status, retry_after_s=retry_after_s(response.headers)
        )
    if status in (401, 403):
        return AuthTargetError(message, status=status)
    return PermanentTargetError(message, status=status)


@contextmanager
def transport_errors(what: str) -> Iterator[None]:
    """Turn httpx transport failures into transient target errors naming ``what``."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise TransientTargetError(f"{what}: timed out ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        detail = _truncate(str(exc) or type(exc).__name__)
        raise TransientTargetError(f"{what}: connection failed ({detail})") from None


def parse_json(body: bytes, what: str) -> dict[str, Any]:
    """A JSON object from a success response; anything else is a transient server fault."""
    try:
        data = json.loads(body)
    except ValueError:
        raise TransientTargetError(f"{what}: response is not JSON") from None
    if not isinstance(data, dict):
        raise TransientTargetError(f"{what}: response is not a JSON object")
    return data


async def _lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Text lines (``\\n`` or ``\\r\\n`` ended) of a byte stream whose size is bounded."""
    partial: list[bytes] = []
    async for chunk in chunks:
        *lines, rest = chunk.split(b"\n")
        if lines:
            lines[0] = b"".join([*partial, lines[0]])
            partial = []
            for line in lines:
                yield line.removesuffix(b"\r").decode("utf-8", "replace")
        if rest:
            partial.append(rest)
    if partial:
        yield b"".join(partial).removesuffix(b"\r").decode("utf-8", "replace")


async def iter_sse(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events as (event name, data), the data lines of one event joined by \\n."""
    event = "message"
    data: list[str] = []
    async for line in _lines(chunks):
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield event, "\n".join(data)
