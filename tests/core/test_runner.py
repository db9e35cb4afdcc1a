"""The resumable runner: caching, errors re-asked, duplicates, ``fresh`` and outcome order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from modelpassport.probes import Outcome, run_requests
from modelpassport.store import Journal, journal_key
from modelpassport.targets import (
    ChatRequest,
    Completion,
    Limits,
    Message,
    StreamChunk,
    Target,
    TargetIdentity,
    TargetSpec,
    open_target,
)
from tests.support.fake_openai import FakeOpenAI, Reply

LIMITS = Limits(concurrency=8, max_retries=0, timeout_s=10.0)


def _request(text: str) -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=16)


def _prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def _echo(body: dict[str, Any]) -> Reply:
    """Answers 'answer to PROMPT'; later prompts answer faster, so arrival order is scrambled."""
    prompt = _prompt(body)
    if prompt.startswith("bad"):
        return Reply(status=400, text=f"cannot answer {prompt}")
    number = int(prompt.rsplit(" ", 1)[-1]) if prompt[-1].isdigit() else 0
    return Reply(text=f"answer to {prompt}", ttft_s=max(0.0, 0.04 - 0.004 * number))


def _target(server: FakeOpenAI) -> Target:
    return open_target(TargetSpec("openai_compat", "m", base_url=server.base_url), LIMITS)


async def _run(
    server: FakeOpenAI, journal: Journal, requests: list[ChatRequest], **kwargs: Any
) -> list[Outcome]:
    target = _target(server)
    try:
        return await run_requests(target, requests, journal, stage="test", **kwargs)
    finally:
        await target.aclose()


async def test_outcomes_follow_request_order(tmp_path: Path) -> None:
    requests = [_request(f"question {i}") for i in range(10)]
    journal = Journal(tmp_path / "j.sqlite")
    with FakeOpenAI(_echo) as server:
        outcomes = await _run(server, journal, requests, concurrency=10)
    arrival = [_prompt(b) for b in server.requests]
    assert sorted(arrival) == sorted(f"question {i}" for i in range(10))
    assert [o.request for o in outcomes] == requests
    assert [o.completion.text if o.completion else None for o in outcomes] == [
        f"answer to question {i}" for i in range(10)
    ]
    assert not any(o.cached for o in outcomes)
    assert journal.count(status="ok") == 10
    journal.close()


async def test_second_run_is_served_from_the_journal(tmp_path: Path) -> None:
    requests = [_request(f"question {i}") for i in range(6)]
    path = tmp_path / "j.sqlite"
    with FakeOpenAI(_echo) as server:
        journal = Journal(path)
        first = await _run(server, journal, requests)
        journal.close()
        asked = len(server.requests)
        journal = Journal(path)
        second = await _run(server, journal, requests)
        journal.close()
    assert asked == 6
    assert len(server.requests) == asked
    assert all(o.cached for o in second)
    assert [o.completion for o in second] == [o.completion for o in first]


async def test_errors_are_recorded_and_asked_again(tmp_path: Path) -> None:
    requests = [_request("question 1"), _request("bad question")]
    journal = Journal(tmp_path / "j.sqlite")
    with FakeOpenAI(_echo) as server:
        first = await _run(server, journal, requests)
        assert first[1].completion is None
        assert first[1].error is not None
        assert first[1].error.kind == "PermanentTargetError"
        assert first[1].error.status == 400
        assert "cannot answer bad question" in first[1].error.message
        assert journal.count(status="error") == 1
        second = await _run(server, journal, requests)
    assert [_prompt(b) for b in server.requests].count("bad question") == 2
    assert [_prompt(b) for b in server.requests].count("question 1") == 1
    assert second[0].cached
    assert not second[1].cached
    assert second[1].error is not None
    entry = journal.get(
        journal_key(
            TargetIdentity(provider="openai_compat", model="m", endpoint=server.base_url),
            requests[1],
        )
    )
    assert entry is not None
    assert entry.error is not None
    assert entry.attempts == 2
    journal.close()


async def test_duplicates_are_asked_once_and_reported_per_request(tmp_path: Path) -> None:
    one, two = _request("question 1"), _request("question 2")
    requests = [one, two, one, one]
    journal = Journal(tmp_path / "j.sqlite")
    reported: list[Outcome] = []
    with FakeOpenAI(_echo) as server:
        outcomes = await _run(server, journal, requests, on_done=reported.append)
    assert sorted(_prompt(b) for b in server.requests) == ["question 1", "question 2"]
    assert len(outcomes) == 4
    assert outcomes[0] is outcomes[2] is outcomes[3]
    assert len(reported) == 4
    journal.close()


async def test_fresh_asks_again_and_replaces(tmp_path: Path) -> None:
    requests = [_request(f"question {i}") for i in range(3)]
    journal = Journal(tmp_path / "j.sqlite")
    with FakeOpenAI(_echo) as server:
        await _run(server, journal, requests)
        again = await _run(server, journal, requests, fresh=True)
    assert len(server.requests) == 6
    assert not any(o.cached for o in again)
    assert journal.count() == 3
    journal.close()


class _InFlight:
    """Wraps a real target and records the peak number of requests in flight."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.now = 0
        self.peak = 0

    async def chat(self, request: ChatRequest) -> Completion:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await self.inner.chat(request)
        finally:
            self.now -= 1

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        return self.inner.stream(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_concurrency_bounds_requests_in_flight(tmp_path: Path) -> None:
    requests = [_request(f"slow {i}") for i in range(12)]
    journal = Journal(tmp_path / "j.sqlite")
    with FakeOpenAI(default=Reply(text="ok", ttft_s=0.02)) as server:
        target = _InFlight(_target(server))
        await run_requests(target, requests, journal, stage="t", concurrency=3)
        await target.aclose()
    assert len(server.requests) == 12
    assert target.peak == 3
    journal.close()


async def test_cancelling_keeps_every_reported_result(tmp_path: Path) -> None:
    requests = [_request(f"slow {i}") for i in range(30)]
    journal = Journal(tmp_path / "j.sqlite")
    reported: list[Outcome] = []
    eight_done = asyncio.Event()

    def done(outcome: Outcome) -> None:
        reported.append(outcome)
        if len(reported) >= 8:
            eight_done.set()

    with FakeOpenAI(default=Reply(text="ok", ttft_s=0.03)) as server:
        target = _target(server)
        task = asyncio.create_task(
            run_requests(target, requests, journal, stage="t", concurrency=4, on_done=done)
        )
        await eight_done.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await target.aclose()
    assert 8 <= len(reported) < 30
    assert journal.count(status="ok") >= len(reported)
    stored = journal.get_many([journal_key(target.identity, o.request) for o in reported])
    assert len(stored) == len(reported)
    journal.close()
