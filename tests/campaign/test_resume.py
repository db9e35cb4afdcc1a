"""kill -9 in the middle of a campaign, run it again: every finished audit and every finished
request is kept exactly once, and the campaign completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import models_toml, write_campaign
from .servers import ANSWER, PREFLIGHT, prompt

SAMPLE = 24


def _slow(seconds: float) -> Any:
    def responder(body: dict[str, Any]) -> Reply:
        if prompt(body) == PREFLIGHT:
            return Reply("OK")
        return Reply(ANSWER["en"], ttft_s=seconds)

    return responder


def _state(out: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((out / "campaign-state.json").read_text())["models"])
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return {}


def _journaled(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT COUNT(*) FROM results WHERE status = 'ok'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _campaign(path: Path, out: Path) -> subprocess.Popen[str]:
    code = "from modelpassport.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "campaign", str(path), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _asked(server: FakeOpenAI) -> Counter[tuple[str, str]]:
    return Counter((str(b["model"]), prompt(b)) for b in server.requests if prompt(b) != PREFLIGHT)


def test_sigkill_mid_campaign_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(_slow(0.01)) as fast, FakeOpenAI(_slow(0.12)) as slow:
        body = models_toml(
            [
                ("Fast", f"{fast.base_url}#fast"),
                ("Slow", f"{slow.base_url}#slow"),
                ("Later", f"{fast.base_url}#later"),
            ]
        )
        path = write_campaign(tmp_path, body, sample=SAMPLE, concurrency=1)
        first = _campaign(path, out)
        deadline = time.monotonic() + 120
        while first.poll() is None:
            assert time.monotonic() < deadline, "the first run made no progress"
            fast_done = _state(out).get("Fast", {}).get("status") == "complete"
            if fast_done and _journaled(out / "models" / "Slow" / "journal.sqlite") >= 2:
                break
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL, first.stderr.read() if first.stderr else ""
        state = _state(out)
        assert state["Fast"]["status"] == "complete"
        assert state["Slow"]["status"] == "running", "the kill must land mid-campaign"
        slow_done = _journaled(out / "models" / "Slow" / "journal.sqlite")
        assert 2 <= slow_done < SAMPLE
        before_fast, before_slow = _asked(fast), _asked(slow)

        second = _campaign(path, out)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err

        after_fast, after_slow = _asked(fast), _asked(slow)
    # The finished audit was not redone: not one more probe for model "fast".
    assert sum(n for (m, _), n in after_fast.items() if m == "fast") == sum(
        n for (m, _), n in before_fast.items() if m == "fast"
    )
    assert "Fast: kept" in err
    # The interrupted audit asked only what its journal lacked: every prompt answered once,
    # except those in flight at the kill (asked, never stored), which are asked again.
    slow_prompts = {p for (m, p) in after_slow if m == "slow"}
    assert len(slow_prompts) == SAMPLE
    repeated = [p for (m, p), n in after_slow.items() if m == "slow" and n > 1]
    assert len(repeated) <= 1  # concurrency 1: at most the request in flight
    assert sum(after_slow.values()) - sum(before_slow.values()) == SAMPLE - slow_done
    state = _state(out)
    assert {name: s["status"] for name, s in state.items()} == {
        "Fast": "complete",
        "Slow": "complete",
        "Later": "complete",
    }
    assert state["Fast"]["runs"] == 1
    assert state["Slow"]["runs"] == 2
    md = (out / "decision.md").read_text()
    assert all(f"| {name} | complete" in md for name in ("Fast", "Slow", "Later"))
