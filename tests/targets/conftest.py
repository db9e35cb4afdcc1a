"""Shared helpers for target tests: fast retry limits and stream collection."""

from __future__ import annotations

import pytest

from modelpassport.targets import ChatRequest, Limits, Message, StreamChunk, Target


@pytest.fixture
def fast_limits() -> Limits:
    """Retries with near-zero backoff, so retry tests run in milliseconds."""
    return Limits(max_retries=3, backoff_base_s=0.001, backoff_max_s=0.005, timeout_s=10.0)


def ask(text: str = "Say hello.", **kwargs: object) -> ChatRequest:
    """A one-turn request with a system prompt."""
    messages = (Message(role="system", content="Be brief."), Message(role="user", content=text))
    return ChatRequest.model_validate({"messages": messages, **kwargs})


async def collect(target: Target, request: ChatRequest) -> list[StreamChunk]:
    """Every chunk of a stream, in order."""
    return [chunk async for chunk in target.stream(request)]
