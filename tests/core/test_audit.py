"""The whole pipeline through the real command line: REF in, passport and reports out."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from modelpassport.passport import SCHEMA_VERSION
from tests.core.test_cli import run_cli
from tests.support.fake_openai import FakeOpenAI, Reply

STAGES = "identity,scan,narratives,security,bench"


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    rules = [{"match": "天安门|Tiananmen", "answer": "I'm sorry, I cannot discuss that."}]
    path.write_text(
        json.dumps({"model": "demo", "rules": rules, "default": "A short factual answer."}),
        encoding="utf-8",
    )
    return path


def _passport(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "passport.json").read_text(encoding="utf-8"))


def test_scripted_audit_writes_every_output_and_says_why_stages_skipped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "audit",
        f"scripted:{_script(tmp_path)}",
        "--stages",
        STAGES,
        "--sample",
        "24",
        "--option",
        "bench.requests=2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    for name in ("passport.json", "report.html", "passport.sarif", "bom.cdx.json"):
        assert (out / name).stat().st_size > 0, name
    passport = _passport(out)
    findings = passport["findings"]
    assert passport["schema_version"] == SCHEMA_VERSION
    assert findings["narratives"]["status"] == "ok"
    assert findings["narratives"]["items_asked"] >= 24
    assert findings["identity"]["status"] == "ok"
    assert findings["scan"]["status"] == "skipped"
    assert "no model files" in findings["scan"]["reason"]
    assert findings["security"]["status"] == "ok"
    assert findings["security"]["items_asked"] >= 24
    assert findings["capability"]["reason"] == "stage not requested"
    run = passport["run"]
    assert run["stages"]["narratives"]["requests"] == findings["narratives"]["items_asked"]
    assert run["stages"]["narratives"]["cached"] == 0
    assert "(scripted)" in result.stdout


def test_rerun_is_served_from_the_journal_with_identical_findings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = (
        "audit",
        f"scripted:{_script(tmp_path)}",
        "--stages",
        "identity,narratives",
        "--sample",
        "16",
        "--out",
        str(out),
    )
    assert run_cli(*args).returncode == 0
    first = _passport(out)
    assert run_cli(*args).returncode == 0
    second = _passport(out)
    assert second["findings_digest"] == first["findings_digest"]
    stage = second["run"]["stages"]["narratives"]
    assert stage["cached"] == stage["requests"] > 0
    fresh = run_cli(*args, "--fresh")
    assert fresh.returncode == 0
    assert _passport(out)["run"]["stages"]["narratives"]["cached"] == 0


def test_an_endpoint_error_is_recorded_never_scored(tmp_path: Path) -> None:
    def reply(body: dict[str, Any]) -> Reply:
        content = body["messages"][-1]["content"]
        if content == "Say OK.":
            return Reply(text="OK")
        # A third of the prompts, chosen by content, fail permanently.
        return Reply(status=400) if zlib.crc32(content.encode()) % 3 == 0 else Reply(text="Fine.")

    with FakeOpenAI(reply) as server:
        out = tmp_path / "out"
        result = run_cli(
            "audit",
            f"{server.base_url}#m",
            "--stages",
            "narratives",
            "--sample",
            "80",
            "--out",
            str(out),
        )
    assert result.returncode == 0, result.stderr
    section = _passport(out)["findings"]["narratives"]
    errored = [r for r in section["items"] if r["error"]]
    assert errored
    assert section["errors"] == len(errored)
    assert all(r["outcome"] is None and r["answer"] is None for r in errored)
    assert all("400" in r["error"] for r in errored)


def test_ctrl_c_keeps_finished_work_and_the_rerun_asks_only_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(default=Reply(text="Slow answer.", ttft_s=0.15)) as server:
        args = [
            sys.executable,
            "-c",
            "from modelpassport.cli import main; main()",
            "audit",
            f"{server.base_url}#m",
            "--stages",
            "narratives",
            "--sample",
            "60",
            "--concurrency",
            "2",
            "--out",
            str(out),
        ]
        child = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        journal = out / "journal.sqlite"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _answered(journal) < 10:
            time.sleep(0.1)
        os.killpg(child.pid, signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
        assert child.returncode == 130, stderr
        assert "rerun the same command to resume" in stderr
        kept = _answered(journal)
        assert kept >= 10
        asked_before = len(server.requests)
        rerun = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
    stage = _passport(out)["run"]["stages"]["narratives"]
    assert stage["cached"] == kept
    # The rerun sent one reachability check plus exactly the unanswered items.
    assert len(server.requests) - asked_before == 1 + stage["requests"] - kept


def _answered(journal: Path) -> int:
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM results WHERE status='ok'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.llm
def test_no_argument_audits_the_bundled_model_in_process(tmp_path: Path) -> None:
    result = run_cli(
        "audit",
        "--stages",
        "identity,scan,narratives",
        "--sample",
        "4",
        "--option",
        "narratives.max_tokens=24",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    passport = _passport(tmp_path)
    findings = passport["findings"]
    assert passport["subject"]["kind"] == "gguf"
    assert passport["subject"]["target"].startswith("llamacpp|SmolLM2-135M-Instruct")
    assert all(findings[s]["status"] == "ok" for s in ("identity", "scan", "narratives"))
    assert findings["narratives"]["answers"] == findings["narratives"]["items_asked"]
    assert "<script" not in (tmp_path / "report.html").read_text(encoding="utf-8").lower()
