"""Render chat templates in jinja2's immutable sandbox, inside a child process.

Run as a script (``python -I _render_child.py``) by ``_render.render_templates``; it imports
only the standard library and jinja2, reads ``{"templates": [...], "conversations": [...]}``
and its limits as JSON on stdin and writes one result per template as JSON on stdout. It
bounds its own address space and CPU seconds before rendering anything, the parent its wall
time; each template also gets a timer and an output cap here, so one slow template cannot
take the others' results with it.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from typing import Any

from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


class _Limit(Exception):
    """A template ran past its time or output limit."""


class _Refused(Exception):
    """The template called ``raise_exception`` (it does not support this conversation)."""


def _raise_exception(message: object = "") -> None:
    raise _Refused(str(message))


def _alarm(_signum: int, _frame: object) -> None:
    raise _Limit("time limit")


def _render(env: ImmutableSandboxedEnvironment, source: str, ctx: dict[str, Any], cap: int) -> str:
    parts: list[str] = []
    size = 0
    for chunk in env.from_string(source).generate(**ctx):
        parts.append(chunk)
        size += len(chunk)
        if size > cap:
            raise _Limit(f"output over {cap} characters")
    return "".join(parts)


def _one(source: str, conversations: list[dict[str, Any]], seconds: float, cap: int) -> Any:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
    )
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = lambda _fmt="": "26 Jul 2024"
    renders: list[str] = []
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        for ctx in conversations:
            try:
                renders.append(_render(env, source, ctx, cap))
            except _Refused:
                continue
            except (_Limit, SecurityError, MemoryError, RecursionError):
                raise
            except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError):
                continue  # not rendered for this conversation; others may render
    except SecurityError as exc:
        return {"status": "escape", "detail": str(exc)[:200], "renders": renders}
    except (_Limit, MemoryError, RecursionError) as exc:
        return {"status": "limit", "detail": str(exc)[:200] or type(exc).__name__, "renders": []}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"status": "ok", "detail": "", "renders": renders}


def main() -> None:
    """Read the job from stdin, render every template, print the results."""
    job = json.load(sys.stdin)
    # Bounds set by the child on itself (a pre-exec hook is unsafe in a threaded parent).
    resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (job["cpu_seconds"], job["cpu_seconds"]))
    signal.signal(signal.SIGALRM, _alarm)
    results = [
        _one(src, job["conversations"], job["seconds"], job["cap"]) for src in job["templates"]
    ]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
