"""Tool calls and tool results in the transcript, in each API's wire format, over real
sockets to the local server speaking OpenAI's and Anthropic's formats."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from modelpassport.targets import (
    CalledTool,
    ChatRequest,
    Limits,
    Message,
    TargetSpec,
    open_target,
)
from tests.support.fake_openai import FakeOpenAI, Reply

CALL = CalledTool(id="call_7", name="read_file", arguments='{"path": "notes.txt"}')
SECOND = CalledTool(id="call_8", name="list_files", arguments="{}")
TRANSCRIPT = (
    Message(role="system", content="You are a file assistant."),
    Message(role="user", content="Summarise notes.txt."),
    Message(role="assistant", content="Reading it.", tool_calls=(CALL, SECOND)),
    Message(role="tool", content="meeting at 10", tool_call_id="call_7"),
    Message(role="tool", content="notes.txt", tool_call_id="call_8"),
)


async def test_openai_wire_carries_calls_and_results_by_id(fast_limits: Limits) -> None:
    with FakeOpenAI(default=Reply(text="Meeting at 10.")) as server:
        target = open_target(
            TargetSpec("openai_compat", "m", base_url=server.base_url), fast_limits
        )
        done = await target.chat(ChatRequest(messages=TRANSCRIPT, max_tokens=16))
        await target.aclose()
    assert done.text == "Meeting at 10."
    sent = server.requests[0]["messages"]
    assert sent[2] == {
        "role": "assistant",
        "content": "Reading it.",
        "tool_calls": [
            {
                "id": "call_7",
                "type": "function",
                "function": {"name": "read_file", "arguments": '{"path": "notes.txt"}'},
            },
            {
                "id": "call_8",
                "type": "function",
                "function": {"name": "list_files", "arguments": "{}"},
            },
        ],
    }
    assert sent[3] == {"role": "tool", "content": "meeting at 10", "tool_call_id": "call_7"}
    assert sent[1] == {"role": "user", "content": "Summarise notes.txt."}


async def test_anthropic_wire_uses_tool_use_and_one_tool_result_turn(
    fast_limits: Limits,
) -> None:
    with FakeOpenAI(default=Reply(text="Meeting at 10.")) as server:
        spec = TargetSpec("anthropic", "claude-x", base_url=server.anthropic_url)
        target = open_target(spec, fast_limits)
        await target.chat(ChatRequest(messages=TRANSCRIPT, max_tokens=16))
        await target.aclose()
    body = server.requests[0]
    assert body["system"] == "You are a file assistant."
    assert body["messages"] == [
        {"role": "user", "content": "Summarise notes.txt."},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Reading it."},
                {
                    "type": "tool_use",
                    "id": "call_7",
                    "name": "read_file",
                    "input": {"path": "notes.txt"},
                },
                {"type": "tool_use", "id": "call_8", "name": "list_files", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_7", "content": "meeting at 10"},
                {"type": "tool_result", "tool_use_id": "call_8", "content": "notes.txt"},
            ],
        },
    ]


def test_tool_fields_must_fit_the_role() -> None:
    with pytest.raises(ValidationError, match="only an assistant turn"):
        Message(role="user", content="x", tool_calls=(CALL,))
    with pytest.raises(ValidationError, match="tool_call_id"):
        Message(role="tool", content="result")
    with pytest.raises(ValidationError, match="tool_call_id"):
        Message(role="user", content="x", tool_call_id="call_7")


def test_turns_without_tool_fields_hash_as_before() -> None:
    """Journals written before turns had tool fields key their requests by this digest."""
    request = ChatRequest(
        messages=(
            Message(role="system", content="Be brief."),
            Message(role="user", content="你好, world"),
        ),
        max_tokens=32,
        tools=({"type": "function", "function": {"name": "f", "parameters": {}}},),
    )
    assert request.digest() == "5062f5b05d7a59450fea49d11dbef44111096df1a1d046a4f97dfe397b96255f"
    with_call = ChatRequest(messages=TRANSCRIPT, max_tokens=32)
    without = ChatRequest(
        messages=tuple(Message(role="user", content=m.content) for m in TRANSCRIPT), max_tokens=32
    )
    assert with_call.digest() != without.digest()
