"""The code sandbox against hostile programs: each is contained and recorded as a failure.

Every program here is bounded (a couple of seconds of CPU at most), so the tests are quick
and leave the machine as they found it.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from modelpassport.capability import _sandbox
from modelpassport.capability._sandbox import SandboxError, open_sandbox
from modelpassport.capability._task import Program

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")


async def _run(source: str, timeout_s: float = 2.0) -> _sandbox.RunResult:
    sandbox = await open_sandbox(parallel=2)
    return await sandbox.run(Program(source, timeout_s=timeout_s))


async def test_a_right_program_passes_and_a_wrong_one_fails() -> None:
    assert (await _run("assert sum([1, 2]) == 3")).passed
    failed = await _run("assert 1 == 2")
    assert failed.status == "failed"
    assert "AssertionError" in failed.tail


async def test_no_network() -> None:
    result = await _run(
        "import socket\nsocket.create_connection(('127.0.0.1', 1), 1)\n"
        "socket.create_connection(('8.8.8.8', 53), 1)\n"
    )
    assert result.status == "failed"
    assert "Error" in result.tail


async def test_writes_outside_the_work_directory_are_blocked(tmp_path: Path) -> None:
    target = tmp_path / f"escape-{uuid.uuid4().hex}"
    home = Path.home() / f"escape-{uuid.uuid4().hex}"
    result = await _run(
        f"open({str(target)!r}, 'w').write('x')\nopen({str(home)!r}, 'w').write('x')\n"
    )
    assert result.status == "failed"
    assert not target.exists()
    assert not home.exists()
    inside = await _run("open('scratch.txt', 'w').write('ok')\nprint(open('scratch.txt').read())")
    assert inside.passed


async def test_the_host_filesystem_is_not_visible(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    assert (await _run(f"open({str(secret)!r}).read()")).status == "failed"


async def test_an_infinite_loop_is_killed_by_the_cpu_limit() -> None:
    result = await _run("while True:\n    pass\n", timeout_s=1)
    assert result.status in {"killed", "timeout"}
    assert not result.passed


async def test_a_sleeper_is_killed_by_the_wall_clock() -> None:
    result = await _run("import time\ntime.sleep(60)\n", timeout_s=1)
    assert result.status == "timeout"


async def test_a_fork_bomb_hits_the_process_limit() -> None:
    result = await _run(
        "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(5)\n",
        timeout_s=2,
    )
    assert not result.passed
    assert "BlockingIOError" in result.tail or result.status in {"killed", "timeout"}


async def test_memory_and_output_are_bounded() -> None:
    assert (await _run("x = bytearray(3 << 30)")).status == "failed"
    flood = await _run("while True:\n    print('x' * 4096)\n", timeout_s=2)
    assert not flood.passed
    assert len(flood.tail) <= 400


async def test_children_do_not_outlive_the_sandbox() -> None:
    marker = f"29.{uuid.uuid4().int % 10**9:09d}"
    result = await _run(
        "import os\nif os.fork() == 0:\n"
        f"    os.execv('/usr/bin/sleep', ['sleep', {marker!r}])\n"
        "import time\ntime.sleep(0.3)\nraise SystemExit(1)\n",
        timeout_s=2,
    )
    assert result.status == "failed"
    assert _processes_with(marker) == []


def _processes_with(marker: str) -> list[Path]:
    return [p for p in Path("/proc").iterdir() if p.name.isdigit() and marker in _cmdline(p)]


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


async def test_no_sandbox_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SandboxError, match="bubblewrap"):
        await open_sandbox()


async def test_a_broken_sandbox_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: "/bin/false")
    with pytest.raises(SandboxError, match="does not work here"):
        await open_sandbox()


async def test_leaving_early_with_status_zero_is_not_a_pass() -> None:
    for early in (
        "import sys\nsys.exit(0)\nassert False",
        "import os\nos._exit(0)",
        "raise SystemExit",
    ):
        result = await _run(early)
        assert result.status == "failed", early
        assert "exited before its tests finished" in result.tail
