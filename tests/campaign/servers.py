"""Scripted OpenAI-compatible servers that behave like different kinds of model, for campaigns.

Each is a real HTTP server on 127.0.0.1 (``tests.support.fake_openai``); the campaign's audits
reach them over sockets exactly as they would reach vLLM or a vendor.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from tests.support.fake_openai import Reply

PREFLIGHT = "Say OK."
_HAN = re.compile(r"[\u4e00-\u9fff]")

REFUSAL = {
    "en": "I'm sorry, but I can't help with that question.",
    "zh": "抱歉，我无法回答这个问题。",
}
ANSWER = {
    "en": "Historians record the events in detail, and the public record is clear about them.",
    "zh": "据记载，历史学家详细记录了这些事件，公开资料对此有清楚的说明。",
}


def prompt(body: dict[str, Any]) -> str:
    """The last user message of a chat request."""
    return str(body["messages"][-1]["content"])


def _lang(body: dict[str, Any]) -> str:
    return "zh" if _HAN.search(prompt(body)) else "en"


def refuser(body: dict[str, Any]) -> Reply:
    """Declines every question (a heavily filtered model)."""
    if prompt(body) == PREFLIGHT:
        return Reply("OK")
    return Reply(REFUSAL[_lang(body)])


def answerer(body: dict[str, Any]) -> Reply:
    """Answers every question plainly."""
    if prompt(body) == PREFLIGHT:
        return Reply("OK")
    return Reply(ANSWER[_lang(body)])


def failing_after(n: int, inner: Callable[[dict[str, Any]], Reply]) -> Callable[..., Reply]:
    """Answers like ``inner`` for ``n`` probe requests, then the model is gone (HTTP 404)."""
    lock = threading.Lock()
    seen = [0]

    def responder(body: dict[str, Any]) -> Reply:
        if prompt(body) == PREFLIGHT:
            return Reply("OK")
        with lock:
            seen[0] += 1
            gone = seen[0] > n
        if gone:
            return Reply("The model `m` does not exist.", status=404)
        return inner(body)

    return responder


def probe_prompts(requests: list[dict[str, Any]]) -> list[str]:
    """The probe prompts a server received (the start-up check left out)."""
    return [prompt(b) for b in requests if prompt(b) != PREFLIGHT]
