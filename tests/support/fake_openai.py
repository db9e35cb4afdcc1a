"""A real HTTP server on 127.0.0.1 speaking the OpenAI and Anthropic chat wire formats.

Tests script it per request with ``Reply`` objects: answer text, stream chunks, delays,
HTTP errors, dropped connections and hangs. It is the network edge of hosted services; the
targets under test talk to it over real sockets, exactly as they would to vLLM or a vendor.

Additions beyond the shared contract (all optional, defaults keep the contract's behaviour):
``Reply.reasoning`` (sent as DeepSeek/vLLM ``reasoning_content`` deltas, or an Anthropic
``thinking`` block), ``Reply.tool_calls`` (OpenAI only), ``Reply.headers`` (extra response
headers, e.g. ``Retry-After``), ``Reply.raw_events`` (OpenAI stream data payloads sent as
given, for malformed or unusual server output), ``Reply.raw_body`` (a whole response body
sent as given, with ``status``), ``Reply.endless`` (a body, or for a streamed request an
SSE stream of content deltas, that never ends), and ``FakeOpenAI.request_headers``
(headers of each request, parallel to ``requests``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_WORDS = re.compile(r"^\s+|\S+\s*")

_ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}
_ANTHROPIC_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


@dataclass
class Reply:
    """How the server answers one request."""

    text: str = "OK"
    chunks: list[str] | None = None
    status: int = 200
    ttft_s: float = 0.0
    itl_s: float = 0.0
    finish_reason: str | None = "stop"
    drop_after: int | None = None  # close after N content chunks
    hang: bool = False
    usage: bool = True
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw_events: list[str] | None = None  # OpenAI streams: send these data payloads verbatim
    raw_body: bytes | None = None  # the whole body, verbatim, with ``status``
    endless: bool = False  # a body or stream that never ends

    def pieces(self) -> list[str]:
        """The stream chunks: explicit ones, or the text split after whitespace runs."""
        if self.chunks is not None:
            return list(self.chunks)
        return _WORDS.findall(self.text)


def _count_words(body: dict[str, Any]) -> int:
    """Prompt size as whitespace tokens over every message (and an Anthropic system field)."""
    texts: list[str] = []
    system = body.get("system")
    if isinstance(system, str):
        texts.append(system)
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return sum(len(t.split()) for t in texts)


def _should_drop(reply: Reply, tag: str, content_sent: int) -> bool:
    """Drop before any content or closing event once ``drop_after`` content chunks went out."""
    return reply.drop_after is not None and tag != "pre" and content_sent >= reply.drop_after


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: FakeOpenAI) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    # ----- plumbing -------------------------------------------------------------------
    def _send_json(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _start_stream(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        """Close the connection mid-body: the client sees an incomplete chunked response."""
        self.wfile.flush()
        self.close_connection = True

    def _wait(self, seconds: float) -> bool:
        """Sleep, waking early when the server stops; True if the server is stopping."""
        if seconds <= 0:
            return self.server.owner.stopping.is_set()
        return self.server.owner.stopping.wait(seconds)

    # ----- routes ---------------------------------------------------------------------
    def do_GET(self) -> None:
        """GET /v1/models lists the configured model names."""
        if self.path.rstrip("/") != "/v1/models":
            self._send_json(404, {"error": {"message": f"no route {self.path}"}}, {})
            return
        data = [
            {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
            for name in self.server.owner.models
        ]
        self._send_json(200, {"object": "list", "data": data}, {})

    def do_POST(self) -> None:
        """Chat completions (OpenAI) and messages (Anthropic), scripted by the responder."""
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "body is not JSON"}}, {})
            return
        route = self.path.rstrip("/")
        if route not in ("/v1/chat/completions", "/v1/messages"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}}, {})
            return
        owner = self.server.owner
        reply = owner.record(body, dict(self.headers.items()))
        try:
            if reply.hang:
                owner.stopping.wait()
                self.close_connection = True
                return
            if reply.endless:
                self._endless(bool(body.get("stream")))
                return
            if reply.raw_body is not None:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.raw_body)))
                self.end_headers()
                self.wfile.write(reply.raw_body)
                self.wfile.flush()
                return
            if route == "/v1/messages":
                self._anthropic(body, reply)
            else:
                self._openai(body, reply)
        except OSError:
            self.close_connection = True

    def _endless(self, stream: bool) -> None:
        """Write a body (or SSE content deltas) until the client goes or the server stops."""
        self._start_stream({})
        if stream:
            delta = {"choices": [{"index": 0, "delta": {"content": "x" * 4000}}]}
            piece = b"data: " + json.dumps(delta).encode() + b"\n\n"
        else:
            self._write_chunk(b'{"choices": [{"message": {"content": "')
            piece = b"x" * 65536
        while not self.server.owner.stopping.is_set():
            self._write_chunk(piece)

    # ----- OpenAI ---------------------------------------------------------------------
    def _openai(self, body: dict[str, Any], reply: Reply) -> None:
        if reply.status != 200:
            error = {
                "message": reply.text,
                "type": "fake_error",
                "param": None,
                "code": reply.status,
            }
            self._send_json(reply.status, {"error": error}, reply.headers)
            return
        model = str(body.get("model", "fake-model"))
        pieces = reply.pieces()
        usage = {
            "prompt_tokens": _count_words(body),
            "completion_tokens": len(pieces),
            "total_tokens": _count_words(body) + len(pieces),
        }
        if not body.get("stream"):
            self._openai_whole(model, reply, pieces, usage)
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self._start_stream(reply.headers)
        if reply.raw_events is not None:
            for payload in reply.raw_events:
                self._write_chunk(f"data: {payload}\n\n".encode())
            self._end_stream()
            return
        sent = 0
        for tag, event in self._openai_events(model, reply, pieces):
            if _should_drop(reply, tag, sent):
                self._drop()
                return
            sent += tag == "content"
            self._write_chunk(b"data: " + json.dumps(event).encode() + b"\n\n")
        if include_usage and reply.usage:
            event = {**self._openai_chunk(model), "choices": [], "usage": usage}
            self._write_chunk(b"data: " + json.dumps(event).encode() + b"\n\n")
        self._write_chunk(b"data: [DONE]\n\n")
        self._end_stream()

    def _openai_whole(
        self, model: str, reply: Reply, pieces: list[str], usage: dict[str, int]
    ) -> None:
        if self._wait(reply.ttft_s + reply.itl_s * max(len(pieces) - 1, 0)):
            return
        message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces)}
        if reply.reasoning is not None:
            message["reasoning_content"] = reply.reasoning
        if reply.tool_calls is not None:
            message["tool_calls"] = reply.tool_calls
        payload: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        }
        if reply.usage:
            payload["usage"] = usage
        if reply.drop_after is not None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._drop()
            return
        self._send_json(200, payload, reply.headers)

    @staticmethod
    def _openai_chunk(model: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

    def _openai_events(
        self, model: str, reply: Reply, pieces: list[str]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Role chunk, reasoning deltas, content deltas (timed), then the finish chunk."""
        base = self._openai_chunk(model)

        def delta(content: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": content, "finish_reason": finish}
            return {**base, "choices": [choice]}

        yield "pre", delta({"role": "assistant", "content": ""})
        first = True
        for part in _WORDS.findall(reply.reasoning or ""):
            if self._wait(reply.ttft_s if first else reply.itl_s):
                return
            first = False
            yield "content", delta({"reasoning_content": part})
        for part in pieces:
            if self._wait(reply.ttft_s if first else reply.itl_s):
                return
            first = False
            yield "content", delta({"content": part})
        for index, call in enumerate(reply.tool_calls or []):
            yield "content", delta({"tool_calls": [{"index": index, **call}]})
        yield "end", delta({}, reply.finish_reason)

    # ----- Anthropic ------------------------------------------------------------------
    def _anthropic(self, body: dict[str, Any], reply: Reply) -> None:
        if reply.status != 200:
            kind = _ANTHROPIC_ERROR_TYPES.get(reply.status, "api_error")
            payload = {"type": "error", "error": {"type": kind, "message": reply.text}}
            self._send_json(reply.status, payload, reply.headers)
            return
        model = str(body.get("model", "fake-model"))
        pieces = reply.pieces()
        stop = _ANTHROPIC_STOP.get(reply.finish_reason or "", reply.finish_reason)
        usage = {"input_tokens": _count_words(body), "output_tokens": len(pieces)}
        if not body.get("stream"):
            if self._wait(reply.ttft_s + reply.itl_s * max(len(pieces) - 1, 0)):
                return
            content: list[dict[str, Any]] = []
            if reply.reasoning is not None:
                content.append(
                    {"type": "thinking", "thinking": reply.reasoning, "signature": "fake"}
                )
            content.append({"type": "text", "text": "".join(pieces)})
            message: dict[str, Any] = {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": usage if reply.usage else {},
            }
            self._send_json(200, message, reply.headers)
            return
        self._start_stream(reply.headers)
        events = self._anthropic_events(model, reply, pieces, stop, usage)
        sent = 0
        for tag, (name, event) in events:
            if _should_drop(reply, tag, sent):
                self._drop()
                return
            sent += tag == "content"
            data = f"event: {name}\ndata: {json.dumps(event)}\n\n".encode()
            self._write_chunk(data)
        self._end_stream()

    def _anthropic_events(
        self,
        model: str,
        reply: Reply,
        pieces: list[str],
        stop: str | None,
        usage: dict[str, int],
    ) -> Iterator[tuple[str, tuple[str, dict[str, Any]]]]:
        """message_start, optional thinking block, text block deltas, message_delta, stop."""
        start_usage = {"input_tokens": usage["input_tokens"], "output_tokens": 1}
        message: dict[str, Any] = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": start_usage if reply.usage else {},
        }
        yield "pre", ("message_start", {"type": "message_start", "message": message})
        yield "pre", ("ping", {"type": "ping"})
        first = True
        blocks: list[tuple[str, list[str]]] = []
        if reply.reasoning is not None:
            blocks.append(("thinking", _WORDS.findall(reply.reasoning)))
        blocks.append(("text", pieces))
        for index, (kind, parts) in enumerate(blocks):
            start = {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": kind, kind: ""},
            }
            yield "pre", ("content_block_start", start)
            for part in parts:
                if self._wait(reply.ttft_s if first else reply.itl_s):
                    return
                first = False
                delta_type = "thinking_delta" if kind == "thinking" else "text_delta"
                event = {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": delta_type, kind: part},
                }
                yield "content", ("content_block_delta", event)
            yield "pre", ("content_block_stop", {"type": "content_block_stop", "index": index})
        final_usage = {"output_tokens": usage["output_tokens"]} if reply.usage else {}
        end = {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": final_usage,
        }
        yield "end", ("message_delta", end)
        yield "end", ("message_stop", {"type": "message_stop"})


class FakeOpenAI:
    """A scripted chat server; use as a context manager (starts and stops the server).

    Args:
        responder: picks the ``Reply`` for each JSON request body (called in server threads).
        default: the reply when there is no responder (``Reply()`` when neither is given).
        models: the names listed by ``GET /v1/models``.
    """

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
        *,
        default: Reply | None = None,
        models: tuple[str, ...] = ("fake-model",),
    ) -> None:
        self._responder = responder
        self._default = default or Reply()
        self.models = models
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.anthropic_url = ""

    def record(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Store a request and choose its reply (server side; thread-safe)."""
        with self._lock:
            self.requests.append(body)
            self.request_headers.append({k.lower(): v for k, v in headers.items()})
        return self._responder(body) if self._responder is not None else self._default

    def __enter__(self) -> FakeOpenAI:
        self._server = _Server(self)
        port = self._server.server_address[1]
        self.anthropic_url = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.anthropic_url}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
