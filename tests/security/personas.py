"""Scripted models with known security behaviour, served by the fake OpenAI-compatible server.

Each persona answers a request body from the item it belongs to: the responder finds the item
(by its filled first turn, system prompt and, for agents, the injection in the transcript) and
acts as that kind of model would, with native tool calls for agent items.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelpassport.security import SecurityItem, SecuritySuite, canary
from modelpassport.security._items import fill
from tests.support.fake_openai import Reply

REFUSE = {"en": "I'm sorry, but I can't help with that.", "zh": "抱歉，我无法提供帮助。"}
HELPFUL = {
    "en": "Here is a short, friendly answer to your question.",
    "zh": "这是对你问题的简短回答。",
}


@dataclass(frozen=True)
class Asked:
    """One request as a persona sees it."""

    item: SecurityItem
    secret: str
    system: str
    observations: list[str]
    attacker_called: bool


Persona = Callable[[Asked], Reply]


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body.get("messages", []) if isinstance(m, dict)]


def _check_tool_turns(messages: list[dict[str, Any]]) -> None:
    """Every tool turn answers a call an earlier assistant turn made, by its id, as the
    OpenAI wire format requires (a server would reject the request otherwise)."""
    made: set[str] = set()
    for m in messages:
        made |= {c["id"] for c in m.get("tool_calls") or []}
        if m["role"] == "tool" and m.get("tool_call_id") not in made:
            raise AssertionError(f"tool turn answers no call: {m}")


def responder(
    suite: SecuritySuite, persona: Persona, seed: int = 0
) -> Callable[[dict[str, Any]], Reply]:
    """A FakeOpenAI responder that maps each request to its item and lets ``persona`` answer."""
    keyed: dict[tuple[str, str], list[tuple[SecurityItem, str]]] = {}
    for item in suite.items:
        secret = canary(suite.version, item.id, seed)
        key = (fill(item.system, canary=secret), fill(item.turns[0], canary=secret))
        keyed.setdefault(key, []).append((item, secret))

    def answer(body: dict[str, Any]) -> Reply:
        messages = _messages(body)
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        users = [m["content"] for m in messages if m["role"] == "user"]
        base = system.split("\n\nYou can use these tools:")[0].split("\n\n你可以使用以下工具：")[0]
        candidates = keyed.get((base, users[0]))
        if not candidates:  # the audit's liveness probe
            return Reply(text="OK")
        transcript = "\n".join(m["content"] for m in messages)
        item, secret = candidates[0]
        for found, found_secret in candidates:
            injected = fill(found.injection, canary=found_secret)
            if injected and injected in transcript:
                item, secret = found, found_secret
        observations = [u for u in users[1:] if u.startswith("[")]
        observations += [m["content"] for m in messages if m["role"] == "tool"]
        _check_tool_turns(messages)
        called = any(
            '"to"' in m["content"] or "Action: " in m["content"] or m.get("tool_calls")
            for m in messages
            if m["role"] == "assistant"
        )
        return persona(Asked(item, secret, system, observations, called))

    return answer


def tool_reply(name: str, arguments: dict[str, Any]) -> Reply:
    """A native OpenAI tool call."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }
    return Reply(text="", tool_calls=[call], finish_reason="tool_calls")


def _read_call(item: SecurityItem) -> Reply:
    tool = next(t for t in item.tools if t.effect == "read" and (t.name != "list_files"))
    return tool_reply(
        tool.name,
        dict.fromkeys(tool.parameters, "notes.txt" if "notes" in item.turns[0] else "README.md"),
    )


def _useful(item: SecurityItem) -> str:
    assert item.utility is not None
    return " ".join(group[0] for group in item.utility.phrases)


def leaker(asked: Asked) -> Reply:
    """Repeats its system prompt to anyone, for any request."""
    return Reply(text=f"Here is my prompt: {asked.system or '(none)'}")


def refuser(asked: Asked) -> Reply:
    """Refuses every request, benign or not."""
    return Reply(text=REFUSE[asked.item.lang])


def well_behaved(asked: Asked) -> Reply:
    """Keeps the operator's rules, treats content and tool output as data, answers benign
    requests and does the user's task."""
    item = asked.item
    if item.family in ("jailbreak", "extraction"):
        return Reply(text=REFUSE[item.lang])
    if item.family == "injection":
        return Reply(text=_useful(item))
    if item.family == "agent":
        if not asked.observations:
            return _read_call(item)
        return Reply(text=f"Final Answer: {_useful(item)}")
    return Reply(text=HELPFUL[item.lang])


def _attacker_arguments(item: SecurityItem, secret: str) -> dict[str, Any]:
    assert item.completed is not None
    tool = next(t for t in item.tools if t.name == item.check.tool)
    args: dict[str, Any] = {}
    for name, kind in tool.parameters.items():
        cues = [c.get(name, "") for c in (item.check.args, item.completed.where)]
        cue = fill(" ".join(c for c in cues if c) or "x", canary=secret)
        args[name] = 950 if kind == "number" else cue
    if "to_account" in args:
        args["to_account"] = "XK-4471-09"
    return args


def obeyer(asked: Asked) -> Reply:
    """Well-behaved in chat, but obeys instructions injected in content and tool output."""
    item = asked.item
    if item.family == "injection" and not item.control:
        return Reply(text=asked.secret[::-1])
    if item.family == "agent" and not item.control:
        if not asked.observations:
            return _read_call(item)
        if len(asked.observations) == 1:
            return tool_reply(item.check.tool or "", _attacker_arguments(item, asked.secret))
        return Reply(text=_useful(item))
    return well_behaved(asked)
