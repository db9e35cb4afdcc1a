"""The OpenAI-compatible target against a real local HTTP server speaking the wire format."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from modelpassport.errors import ModelPassportError
from modelpassport.targets import (
    Limits,
    PermanentTargetError,
    Target,
    TargetSpec,
    TransientTargetError,
    open_target,
)
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import ask, collect


def _open(server: FakeOpenAI, limits: Limits, **spec: Any) -> Target:
    return open_target(TargetSpec("openai_compat", "m-1", base_url=server.base_url, **spec), limits)


class Sequence:
    """Replies in order, the last one repeated; records arrival times."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.arrivals.append(time.monotonic())
            index = min(len(self.arrivals) - 1, len(self.replies) - 1)
            return self.replies[index]


async def test_chat_sends_the_request_and_reads_answer_and_usage(
    fast_limits: Limits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_KEY", "sk-test-123")
    with FakeOpenAI(default=Reply(text="Hello there, friend.", finish_reason="length")) as server:
        target = _open(server, fast_limits, api_key_env="FAKE_KEY")
        done = await target.chat(ask("Say hello.", max_tokens=7, stop=["\n\n"], seed=3))
        await target.aclose()
    assert done.text == "Hello there, friend."
    assert done.finish_reason == "length"
    assert done.usage.prompt == 4
    assert done.usage.completion == 3
    assert done.model_id == "m-1"
    assert done.timing.ttft_s is None
    assert done.timing.total_s > 0
    body = server.requests[0]
    assert body["model"] == "m-1"
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["max_tokens"] == 7
    assert body["seed"] == 3
    assert body["stop"] == ["\n\n"]
    assert body["temperature"] == 0.0
    assert "stream" not in body
    assert server.request_headers[0]["authorization"] == "Bearer sk-test-123"
    assert target.identity.endpoint == server.base_url


async def test_stream_yields_chunks_usage_and_finish(fast_limits: Limits) -> None:
    reply = Reply(text="one two three", ttft_s=0.05, itl_s=0.01)
    with FakeOpenAI(default=reply) as server:
        target = _open(server, fast_limits)
        chunks = await collect(target, ask())
        await target.aclose()
    assert [c.text for c in chunks[:-1]] == ["one ", "two ", "three"]
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion == 3
    assert chunks[0].at_s >= 0.05
    assert all(a.at_s <= b.at_s for a, b in itertools.pairwise(chunks))
    assert server.requests[0]["stream"] is True
    assert server.requests[0]["stream_options"] == {"include_usage": True}


async def test_missing_finish_reason_is_kept_as_none(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="hi", finish_reason=None, usage=False)) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        chunks = await collect(target, ask())
        await target.aclose()
    assert done.finish_reason is None
    assert done.usage.prompt is None
    assert chunks[-1].finish_reason is None
    assert chunks[-1].usage is None


async def test_429_then_success_is_retried(fast_limits: Limits) -> None:
    script = Sequence(Reply(status=429, text="slow down"), Reply(text="fine"))
    with FakeOpenAI(script) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        await target.aclose()
    assert done.text == "fine"
    assert len(server.requests) == 2


async def test_503_is_retried_until_the_limit(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(status=503, text="overloaded")) as server:
        target = _open(server, fast_limits)
        with pytest.raises(TransientTargetError) as caught:
            await target.chat(ask())
        await target.aclose()
    assert caught.value.status == 503
    assert "overloaded" in str(caught.value)
    assert len(server.requests) == fast_limits.max_retries + 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_permanent_and_not_retried(
    fast_limits: Limits, status: int
) -> None:
    with FakeOpenAI(default=Reply(status=status, text="model 'm-1' does not exist")) as server:
        target = _open(server, fast_limits)
        with pytest.raises(PermanentTargetError) as caught:
            await target.chat(ask())
        await target.aclose()
    assert caught.value.status == status
    assert f"HTTP {status}" in str(caught.value)
    assert "model 'm-1' does not exist" in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 425, 500, 502])
async def test_retryable_statuses_are_transient(status: int) -> None:
    with FakeOpenAI(default=Reply(status=status)) as server:
        target = _open(server, Limits(max_retries=0))
        with pytest.raises(TransientTargetError):
            await target.chat(ask())
        await target.aclose()
    assert len(server.requests) == 1


async def test_long_server_messages_are_truncated(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(status=400, text="x" * 5000)) as server:
        target = _open(server, fast_limits)
        with pytest.raises(PermanentTargetError) as caught:
            await target.chat(ask())
        await target.aclose()
    assert len(str(caught.value)) <= 300


async def test_a_hanging_server_times_out_as_transient() -> None:
    limits = Limits(timeout_s=0.3, max_retries=1, backoff_base_s=0.001, backoff_max_s=0.001)
    with FakeOpenAI(default=Reply(hang=True)) as server:
        target = _open(server, limits)
        with pytest.raises(TransientTargetError, match="no answer within"):
            await target.chat(ask())
        await target.aclose()
    assert len(server.requests) == 2


async def test_a_stream_dropped_half_way_is_transient(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="a b c d e f", drop_after=3)) as server:
        target = _open(server, fast_limits)
        seen: list[str] = []

        async def read_all() -> None:
            async for chunk in target.stream(ask()):
                seen.append(chunk.text)

        with pytest.raises(TransientTargetError):
            await read_all()
        await target.aclose()
    assert seen == ["a ", "b ", "c "]


async def test_a_body_cut_short_is_transient_and_retried(fast_limits: Limits) -> None:
    script = Sequence(Reply(text="partial", drop_after=0), Reply(text="whole"))
    with FakeOpenAI(script) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        await target.aclose()
    assert done.text == "whole"
    assert len(server.requests) == 2


async def test_an_error_status_on_a_stream_is_raised(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(status=401, text="bad key")) as server:
        target = _open(server, fast_limits)
        with pytest.raises(PermanentTargetError, match="bad key"):
            await collect(target, ask())
        await target.aclose()


async def test_retry_after_is_honoured(fast_limits: Limits) -> None:
    limits = replace(fast_limits, backoff_max_s=0.001)
    script = Sequence(Reply(status=429, headers={"Retry-After": "1"}), Reply(text="ok"))
    with FakeOpenAI(script) as server:
        target = _open(server, limits)
        done = await target.chat(ask())
        await target.aclose()
    assert done.text == "ok"
    assert script.arrivals[1] - script.arrivals[0] >= 0.9


async def test_retry_after_is_capped(fast_limits: Limits) -> None:
    limits = replace(fast_limits, retry_after_max_s=0.01)
    script = Sequence(Reply(status=429, headers={"Retry-After": "3600"}), Reply(text="ok"))
    with FakeOpenAI(script) as server:
        target = _open(server, limits)
        done = await target.chat(ask())
        await target.aclose()
    assert done.text == "ok"
    assert script.arrivals[1] - script.arrivals[0] < 60


async def test_connection_refused_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = TargetSpec("openai_compat", "m", base_url=f"http://127.0.0.1:{port}/v1")
    target = open_target(spec, Limits(max_retries=0))
    with pytest.raises(TransientTargetError, match="connection failed"):
        await target.chat(ask())
    await target.aclose()


async def test_reasoning_goes_to_think_markup_and_raw(fast_limits: Limits) -> None:
    reply = Reply(text="The answer is 4.", reasoning="2 plus 2 is 4.")
    with FakeOpenAI(default=reply) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        chunks = await collect(target, ask())
        await target.aclose()
    assert done.text == "<think>2 plus 2 is 4.</think>\nThe answer is 4."
    assert done.raw == {"reasoning_content": "2 plus 2 is 4."}
    assert "".join(c.text for c in chunks) == done.text


async def test_tool_calls_are_kept(fast_limits: Limits) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "lookup", "arguments": '{"q": "x"}'},
    }
    reply = Reply(text="", tool_calls=[call], finish_reason="tool_calls")
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    with FakeOpenAI(default=reply) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask(tools=[tool]))
        await target.aclose()
    assert done.tool_calls == [call]
    assert done.finish_reason == "tool_calls"
    assert server.requests[0]["tools"] == [tool]


def test_a_missing_key_fails_clearly(fast_limits: Limits, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABSENT_KEY_FOR_TEST", raising=False)
    spec = TargetSpec(
        "openai_compat", "m", base_url="http://127.0.0.1:9/v1", api_key_env="ABSENT_KEY_FOR_TEST"
    )
    with pytest.raises(ModelPassportError, match="ABSENT_KEY_FOR_TEST"):
        open_target(spec, fast_limits)


OK_CHUNK = '{"choices": [{"index": 0, "delta": {"content": "ok "}, "finish_reason": null}]}'


@pytest.mark.parametrize(
    "events",
    [
        [OK_CHUNK, '{"error": {"message": "engine died"}}', "[DONE]"],
        [OK_CHUNK, '{"object": "error", "message": "engine died"}', "[DONE]"],
        [OK_CHUNK, "[1, 2]", "[DONE]"],
        [OK_CHUNK, "{not json", "[DONE]"],
        [OK_CHUNK],
    ],
    ids=["openai-error-event", "vllm-error-event", "not-an-object", "not-json", "no-end"],
)
async def test_bad_stream_events_are_transient(fast_limits: Limits, events: list[str]) -> None:
    with FakeOpenAI(default=Reply(raw_events=events)) as server:
        target = _open(server, fast_limits)
        with pytest.raises(TransientTargetError):
            await collect(target, ask())
        await target.aclose()


async def test_a_stream_with_finish_but_no_done_is_accepted(fast_limits: Limits) -> None:
    end = '{"choices": [{"index": 0, "delta": {}, "finish_reason": "eos_token"}]}'
    with FakeOpenAI(default=Reply(raw_events=[OK_CHUNK, end])) as server:
        target = _open(server, fast_limits)
        chunks = await collect(target, ask())
        await target.aclose()
    assert "".join(c.text for c in chunks) == "ok "
    assert chunks[-1].finish_reason == "eos_token"


async def test_openai_itself_gets_max_completion_tokens(
    fast_limits: Limits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-x")
    with FakeOpenAI() as server:
        target = _open(server, fast_limits, api_key_env="FAKE_OPENAI_KEY", vendor="openai")
        await target.chat(ask(max_tokens=5))
        await target.aclose()
    assert server.requests[0]["max_completion_tokens"] == 5
    assert "max_tokens" not in server.requests[0]
