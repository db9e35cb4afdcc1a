"""kill -9 half-way through a run, run again: nothing lost, nothing finished asked twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.fake_openai import FakeOpenAI, Reply

N = 40

# The child is a separate interpreter running the real runner, journal and HTTP target.
CHILD = """
import asyncio, json, sys
from pathlib import Path
from modelpassport.probes import run_requests
from modelpassport.store import Journal
from modelpassport.targets import ChatRequest, Limits, Message, TargetSpec, open_target

async def main(base_url: str, path: str, n: int) -> None:
    spec = TargetSpec("openai_compat", "m", base_url=base_url)
    target = open_target(spec, Limits(concurrency=4, max_retries=0))
    journal = Journal(Path(path))
    requests = [ChatRequest(messages=(Message(role="user", content=f"item {i}"),), max_tokens=8)
                for i in range(n)]
    outcomes = await run_requests(target, requests, journal, stage="resume", concurrency=4)
    await target.aclose()
    journal.close()
    print(json.dumps([[o.completion.text if o.completion else None, o.cached]
                      for o in outcomes]))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _answer(body: dict[str, Any]) -> Reply:
    return Reply(text=f"answer to {body['messages'][-1]['content']}", ttft_s=0.2)


def _done_prompts(path: Path) -> list[str]:
    """Prompts with a stored answer, read the way an outside reader would."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT request FROM results WHERE status = 'ok'").fetchall()
    except sqlite3.OperationalError:
        return []
    return [json.loads(row[0])["messages"][-1]["content"] for row in rows]


def _child(server: FakeOpenAI, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, server.base_url, str(path), str(N)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_half_way_then_resume(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with FakeOpenAI(_answer) as server:
        first = _child(server, path)
        deadline = time.monotonic() + 60
        while len(_done_prompts(path)) < N // 8 and first.poll() is None:
            assert time.monotonic() < deadline, "the first run made no progress"
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        done_before = set(_done_prompts(path))
        asked_before = len(server.requests)
        assert N // 8 <= len(done_before) < N, "the kill must land half-way through the run"

        second = _child(server, path)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err

    outcomes = json.loads(out)
    assert [text for text, _ in outcomes] == [f"answer to item {i}" for i in range(N)]
    cached = {f"item {i}" for i, (_, was_cached) in enumerate(outcomes) if was_cached}
    assert cached == done_before
    asked_again = [body["messages"][-1]["content"] for body in server.requests[asked_before:]]
    assert not set(asked_again) & done_before, "a finished request was asked again"
    assert sorted(asked_again) == sorted({f"item {i}" for i in range(N)} - done_before)
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT count(*), count(DISTINCT key) FROM results").fetchone()
        statuses = {s for (s,) in db.execute("SELECT DISTINCT status FROM results")}
    assert rows == (N, N)
    assert statuses == {"ok"}
