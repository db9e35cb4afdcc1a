"""The Anthropic Messages target against a real local server speaking the Messages format."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from modelpassport.targets import (
    ChatRequest,
    Limits,
    Message,
    PermanentTargetError,
    Target,
    TargetSpec,
    TransientTargetError,
    open_target,
)
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import ask, collect
from .test_openai import Sequence


def _open(server: FakeOpenAI, limits: Limits, **spec: Any) -> Target:
    spec = {"base_url": server.anthropic_url, **spec}
    return open_target(TargetSpec("anthropic", "claude-x", **spec), limits)


async def test_chat_moves_system_and_sends_headers(
    fast_limits: Limits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "ak-test")
    with FakeOpenAI(default=Reply(text="Hi there.")) as server:
        target = _open(server, fast_limits, api_key_env="FAKE_ANTHROPIC_KEY")
        done = await target.chat(ask("Say hi.", max_tokens=9, stop=["END"]))
        await target.aclose()
    assert done.text == "Hi there."
    assert done.finish_reason == "stop"
    assert done.usage.prompt == 4
    assert done.usage.completion == 2
    assert done.model_id == "claude-x"
    body = server.requests[0]
    assert body["system"] == "Be brief."
    assert body["messages"] == [{"role": "user", "content": "Say hi."}]
    assert body["max_tokens"] == 9
    assert body["stop_sequences"] == ["END"]
    headers = server.request_headers[0]
    assert headers["x-api-key"] == "ak-test"
    assert headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers


@pytest.mark.parametrize(
    ("sent", "expected"), [("stop", "stop"), ("length", "length"), ("refusal", "refusal")]
)
async def test_stop_reason_maps_to_finish_reason(
    fast_limits: Limits, sent: str, expected: str
) -> None:
    with FakeOpenAI(default=Reply(text="x", finish_reason=sent)) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        chunks = await collect(target, ask())
        await target.aclose()
    assert done.finish_reason == expected
    assert chunks[-1].finish_reason == expected


async def test_stream_yields_text_usage_and_finish(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="alpha beta gamma", itl_s=0.01)) as server:
        target = _open(server, fast_limits)
        chunks = await collect(target, ask())
        await target.aclose()
    assert [c.text for c in chunks[:-1]] == ["alpha ", "beta ", "gamma"]
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert (final.usage.prompt, final.usage.completion) == (4, 3)
    assert server.requests[0]["stream"] is True


async def test_thinking_goes_to_think_markup(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="Four.", reasoning="Two and two.")) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        chunks = await collect(target, ask())
        await target.aclose()
    assert done.text == "<think>Two and two.</think>\nFour."
    assert done.raw == {"thinking": "Two and two."}
    assert "".join(c.text for c in chunks) == done.text


@pytest.mark.parametrize("status", [429, 500, 529])
async def test_overloaded_and_rate_limited_are_retried(fast_limits: Limits, status: int) -> None:
    script = Sequence(Reply(status=status, text="Overloaded"), Reply(text="ok"))
    with FakeOpenAI(script) as server:
        target = _open(server, fast_limits)
        done = await target.chat(ask())
        await target.aclose()
    assert done.text == "ok"
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_client_errors_are_permanent(fast_limits: Limits, status: int) -> None:
    with FakeOpenAI(default=Reply(status=status, text="invalid model name")) as server:
        target = _open(server, fast_limits)
        with pytest.raises(PermanentTargetError) as caught:
            await target.chat(ask())
        await target.aclose()
    assert "invalid model name" in str(caught.value)
    assert caught.value.status == status
    assert len(server.requests) == 1


async def test_retry_after_is_honoured(fast_limits: Limits) -> None:
    limits = replace(fast_limits, backoff_max_s=0.001)
    script = Sequence(Reply(status=529, headers={"retry-after-ms": "600"}), Reply(text="ok"))
    with FakeOpenAI(script) as server:
        target = _open(server, limits)
        assert (await target.chat(ask())).text == "ok"
        await target.aclose()
    assert script.arrivals[1] - script.arrivals[0] >= 0.5


async def test_hang_times_out_as_transient() -> None:
    limits = Limits(timeout_s=0.3, max_retries=0)
    with FakeOpenAI(default=Reply(hang=True)) as server:
        target = _open(server, limits)
        with pytest.raises(TransientTargetError, match="no answer within"):
            await target.chat(ask())
        await target.aclose()


async def test_stream_dropped_half_way_is_transient(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="one two three four", drop_after=2)) as server:
        target = _open(server, fast_limits)
        with pytest.raises(TransientTargetError):
            await collect(target, ask())
        await target.aclose()


async def test_assistant_turns_are_kept_in_order(fast_limits: Limits) -> None:
    request = ChatRequest(
        messages=(
            Message(role="user", content="First?"),
            Message(role="assistant", content="One."),
            Message(role="user", content="Second?"),
        )
    )
    with FakeOpenAI() as server:
        target = _open(server, fast_limits)
        await target.chat(request)
        await target.aclose()
    body = server.requests[0]
    assert "system" not in body
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
