"""Judge what a chat template renders, not only the literals it contains.

A template can build its text at render time (``{% set s = ... %}{{ s }}``, ``~``
concatenation, ``|join``, adjacent short literals), so no single literal in its syntax tree
looks like an instruction. Each template is rendered for a few representative conversations
in jinja2's ``ImmutableSandboxedEnvironment``, in a child process bounded in address space,
CPU time, wall time and output size; never in this process, never outside the sandbox.
What the template wrote around the conversation's own messages is then judged as text.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CHILD = Path(__file__).with_name("_render_child.py")
# Per template: seconds of rendering (all conversations) and characters per rendering.
RENDER_SECONDS = 2.0
MAX_RENDER_CHARS = 64 * 1024
_CHILD_MEMORY = 1 << 30

_SYSTEM = "Answer in one short paragraph."
_TURNS = (
    "What is the boiling point of water at sea level?",
    "Water boils at 100 degrees Celsius at sea level.",
    "And on a high mountain?",
)


def _messages(with_system: bool) -> list[dict[str, str]]:
    roles = ("user", "assistant", "user")
    turns = [{"role": r, "content": c} for r, c in zip(roles, _TURNS, strict=True)]
    return [{"role": "system", "content": _SYSTEM}, *turns] if with_system else turns


# With a system message first, so text a template adds only when none is given (a default
# system prompt) is not written; then without one, for templates that refuse system roles.
CONVERSATIONS: tuple[dict[str, Any], ...] = tuple(
    {
        "messages": _messages(with_system),
        "add_generation_prompt": True,
        "bos_token": "<s>",
        "eos_token": "</s>",
    }
    for with_system in (True, False)
)
MESSAGE_TEXTS = (_SYSTEM, *_TURNS)


@dataclass(frozen=True)
class Rendering:
    """What rendering one template gave.

    ``status``: ok, escape (the sandbox stopped an unsafe access) or limit (time, memory or
    output cap hit, so the template could not be fully judged); ``texts``: the renderings.
    """

    status: str
    detail: str
    texts: tuple[str, ...]


def render_templates(sources: list[str]) -> list[Rendering]:
    """Render each template for ``CONVERSATIONS`` in a sandboxed, bounded child process.

    Why: only the rendered prompt shows text assembled at render time. A child process is
    the one bound on time and memory that a template cannot escape; a child that dies or
    runs out of time gives ``limit`` for every template, never a clean result.
    """
    if not sources:
        return []
    job = {
        "templates": sources,
        "conversations": list(CONVERSATIONS),
        "seconds": RENDER_SECONDS,
        "cap": MAX_RENDER_CHARS,
        "memory": _CHILD_MEMORY,
        "cpu_seconds": int(RENDER_SECONDS * len(sources)) + 2,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(_CHILD)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=RENDER_SECONDS * len(sources) + 10,
            check=False,
        )
        results = json.loads(done.stdout) if done.returncode == 0 else None
    except (subprocess.TimeoutExpired, OSError, ValueError) as exc:
        results, reason = None, f"renderer failed ({type(exc).__name__})"
    else:
        reason = f"renderer exited with status {done.returncode}"
    if not isinstance(results, list) or len(results) != len(sources):
        return [Rendering("limit", reason, ()) for _ in sources]
    return [
        Rendering(str(r["status"]), str(r["detail"]), tuple(str(t) for t in r["renders"]))
        for r in results
    ]


def added_text(rendered: str, known: list[str]) -> list[str]:
    """The pieces of a rendering the template wrote itself: the conversation's messages and
    the text already judged from the syntax tree (``known``) are cut out; line breaks stay.
    """
    cuts = {tuple(k.split()) for k in (*MESSAGE_TEXTS, *known)} - {()}
    # Longest first, each matched across any whitespace, so one cut never splits another.
    pattern = "|".join(
        r"\s+".join(map(re.escape, words)) for words in sorted(cuts, key=len, reverse=True)
    )
    return [p.strip() for p in re.split(pattern, rendered) if p.strip()]
