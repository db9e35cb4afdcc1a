"""Bench test helpers: synthetic request records and targets opened on local servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from modelpassport.bench import RequestRecord
from modelpassport.targets import (
    ChatRequest,
    Limits,
    Message,
    Target,
    TargetSpec,
    Usage,
    open_target,
)
from tests.support import fake_openai


def request(text: str = "hello there", max_tokens: int = 8) -> ChatRequest:
    """A one-message request."""
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=max_tokens)


def record(
    deltas: Sequence[float],
    end: float,
    *,
    index: int = 0,
    sent_at: float = 100.0,
    finish: str | None = "stop",
    completion: int | None = None,
    prompt: int | None = 10,
    error: str | None = None,
    max_tokens: int = 8,
) -> RequestRecord:
    """A record as the load generator would have made it, with chosen times and counts."""
    usage = Usage(prompt=prompt, completion=completion if completion is not None else len(deltas))
    return RequestRecord(
        index=index,
        request=request(max_tokens=max_tokens),
        sent_at=sent_at,
        deltas_s=list(deltas),
        end_s=end,
        text="x" * len(deltas),
        finish_reason=finish,
        usage=None if error else usage,
        error=error,
    )


@pytest.fixture(autouse=True)
def fake_server_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fake server send each SSE chunk at once, as streaming servers do.

    ``http.server`` leaves Nagle's algorithm on, so a small chunk written while the previous
    one is unacknowledged waits for the client's delayed ACK (40 ms or more on Linux): the
    timing tests would measure TCP, not the configured delays. uvicorn and vLLM set
    TCP_NODELAY; so does the fake here.
    """
    monkeypatch.setattr(fake_openai._Handler, "disable_nagle_algorithm", True)


@pytest.fixture
async def open_endpoint() -> AsyncIterator[object]:
    """Opens OpenAI-compatible targets on local servers and closes them after the test."""
    opened: list[Target] = []

    def opener(base_url: str, *, concurrency: int = 8, timeout_s: float = 10.0) -> Target:
        spec = TargetSpec("openai_compat", "fake-model", base_url=base_url)
        limits = Limits(concurrency=concurrency, timeout_s=timeout_s, max_retries=0)
        target = open_target(spec, limits)
        opened.append(target)
        return target

    yield opener
    for target in opened:
        await target.aclose()
