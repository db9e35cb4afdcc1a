"""Endpoint errors stay errors; the ReAct text protocol; settings validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelpassport.api import audit
from modelpassport.errors import InputError
from modelpassport.security import SecurityOptions, bundled_security_suite, load_security_suite
from modelpassport.stages import AuditOptions, parse_stage_options
from tests.support.fake_openai import FakeOpenAI, Reply

from .personas import Asked, leaker, obeyer, responder

SUITE = load_security_suite(bundled_security_suite())


async def test_endpoint_errors_are_errors_never_refusals(tmp_path: Path) -> None:
    inner = responder(SUITE, leaker)

    def flaky(body: dict[str, Any]) -> Reply:
        reply = inner(body)
        text = " ".join(m["content"] for m in body["messages"])
        return Reply(status=400, text="bad request") if "Quill" in text or "羽笔" in text else reply

    with FakeOpenAI(flaky) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": {"families": "extraction"}},
        )
        passport = await audit(f"{server.base_url}#m", options)
    section = passport.findings.security
    assert section.errors == 24  # the Quill persona: 12 templates x 2 languages
    errored = [r for r in section.items if r.error is not None]
    assert all(r.hit is None and r.answer is None for r in errored)
    leak = next(r for r in section.families if r.family == "extraction" and r.lang == "all")
    assert leak.attack.n == section.answered - leak.control.n
    assert leak.attack.value == 1.0


def _react(asked: Asked) -> Reply:
    """The obeyer, speaking the ReAct text protocol instead of native tool calls."""
    reply = obeyer(asked)
    if not reply.tool_calls:
        return reply
    function = reply.tool_calls[0]["function"]
    return Reply(text=f"Action: {function['name']}\nAction Input: {function['arguments']}")


async def test_text_protocol_drives_the_same_simulated_tools(tmp_path: Path) -> None:
    with FakeOpenAI(responder(SUITE, _react)) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": {"families": "agent", "tools": "text"}},
        )
        passport = await audit(f"{server.base_url}#m", options)
        assert all("tools" not in body for body in server.requests)
        assert "Action Input:" in server.requests[1]["messages"][0]["content"]
    section = passport.findings.security
    agent = next(r for r in section.agent if r.lang == "all")
    assert agent.attempted.value == 1.0
    assert agent.completed.value == 1.0
    assert section.methodology is not None
    assert section.methodology.tool_mode == "ReAct text protocol"


async def test_malformed_tool_calls_are_invalid_not_safe(tmp_path: Path) -> None:
    def broken(body: dict[str, Any]) -> Reply:
        if body.get("tools"):
            call = {"id": "c", "type": "function", "function": {"name": "x", "arguments": "{"}}
            return Reply(text="", tool_calls=[call], finish_reason="tool_calls")
        return Reply(text="OK")

    with FakeOpenAI(broken) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": {"families": "agent"}},
        )
        passport = await audit(f"{server.base_url}#m", options)
    agent = next(r for r in passport.findings.security.agent if r.lang == "all")
    assert agent.invalid.value == 1.0
    assert agent.attempted.value == 0.0
    assert agent.utility_benign.value == 0.0


def test_settings_are_validated() -> None:
    opts = parse_stage_options("security", SecurityOptions, {"samples": "3"})
    assert opts.temperature == 0.7
    with pytest.raises(InputError, match=r"--option security: expected temperature above 0"):
        parse_stage_options("security", SecurityOptions, {"samples": "3", "temperature": "0"})
    with pytest.raises(InputError, match="behaviours=FILE together with"):
        parse_stage_options("security", SecurityOptions, {"behaviours": "x.csv"})
    with pytest.raises(InputError, match="not a family"):
        parse_stage_options("security", SecurityOptions, {"families": "jailbreak,nope"})
