"""Wire-level helpers: error bodies of each server dialect, Retry-After forms, SSE framing."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from modelpassport.targets import PermanentTargetError, TransientTargetError
from modelpassport.targets._http import iter_sse, retry_after_s, status_error

URL = "http://127.0.0.1:8000/v1/chat/completions"


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers, request=httpx.Request("POST", URL))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"error": {"message": "Invalid model", "type": "invalid_request_error"}}',
            "Invalid model",
        ),
        (
            b'{"object": "error", "message": "max_tokens too large", "code": 400}',
            "max_tokens too large",
        ),
        (
            b'{"error": "Input validation error: inputs too long", "error_type": "validation"}',
            "Input validation error: inputs too long",
        ),
        (b'{"detail": [{"loc": ["body", "messages"], "msg": "field required"}]}', "field required"),
        (b"<html><body>502 Bad Gateway</body></html>", "502 Bad Gateway"),
    ],
    ids=["openai", "vllm", "tgi-ollama", "fastapi", "html-proxy"],
)
def test_server_messages_of_each_dialect_are_kept(body: bytes, expected: str) -> None:
    error = status_error(_response(400, body), body)
    assert isinstance(error, PermanentTargetError)
    assert expected in str(error)
    assert "HTTP 400" in str(error)


def test_529_and_5xx_are_transient_and_carry_retry_after() -> None:
    body = b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'
    error = status_error(_response(529, body, {"retry-after": "7"}), body)
    assert isinstance(error, TransientTargetError)
    assert error.retry_after_s == 7.0
    assert "Overloaded" in str(error)


def test_retry_after_forms() -> None:
    assert retry_after_s(httpx.Headers({"retry-after": "2.5"})) == 2.5
    assert retry_after_s(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    assert retry_after_s(httpx.Headers({})) is None
    assert retry_after_s(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_s(httpx.Headers({"retry-after": "-3"})) == 0.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    parsed = retry_after_s(httpx.Headers({"retry-after": later}))
    assert parsed is not None
    assert 20 < parsed <= 31


async def test_sse_framing_comments_multiline_and_no_space() -> None:
    raw = (
        b": keep-alive\n\n"
        b'event: content_block_delta\r\ndata: {"a": 1}\r\n\r\n'
        b"data:first\ndata: second\n\n"
        b"data: [DONE]"
    )
    response = httpx.Response(200, stream=httpx.ByteStream(raw))
    events = [event async for event in iter_sse(response.aiter_bytes())]
    assert events == [
        ("content_block_delta", '{"a": 1}'),
        ("message", "first\nsecond"),
        ("message", "[DONE]"),
    ]
