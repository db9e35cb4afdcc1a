"""Running model-written code: a throw-away directory, no network, hard resource limits.

Each program runs under bubblewrap (``bwrap``) in new network, PID, IPC and UTS namespaces,
sees only the system's read-only runtime directories (``/usr``, ``/lib*``, ``/bin`` and the
Python installation) plus an empty writable working directory, and under resource limits set
before ``exec``: CPU seconds, address space, file size, open files and processes. As root the
program also drops to ``nobody`` with no capabilities (a process limit does not bind root).
A wall-clock timeout kills the whole process group, and the PID namespace takes every child
with it. Output goes to a file, so a program that prints forever is cut by the file-size
limit, never by memory here.

Nothing runs in this process, ever: if the sandbox cannot be set up, ``open_sandbox`` raises
``SandboxError`` and the code pack is not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import secrets
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelpassport.errors import ModelPassportError

from ._task import Program

RunStatus = Literal["passed", "failed", "timeout", "killed"]
NOBODY = 65534
MEMORY_BYTES = 1 << 30
FILE_BYTES = 8 << 20
OPEN_FILES = 128
PROCESSES = 32
_TAIL = 400


class SandboxError(ModelPassportError):
    """The code sandbox cannot be set up here; the code pack is not run without one."""


@dataclass(frozen=True)
class RunResult:
    """How one program ended: passed (exit 0), failed, timed out or killed by a signal."""

    status: RunStatus
    returncode: int | None
    tail: str

    @property
    def passed(self) -> bool:
        """True only for a clean exit with status 0."""
        return self.status == "passed"


def _runtime_dirs() -> list[str]:
    dirs = {"/usr", "/bin", "/lib", "/lib64", "/lib32", sys.base_prefix}
    return sorted(d for d in dirs if os.path.isdir(d) and not os.path.islink(d))


def _python() -> str:
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


class Sandbox:
    """A bubblewrap sandbox for Python programs (see the module docstring)."""

    def __init__(self, bwrap: str, *, parallel: int) -> None:
        self._bwrap = bwrap
        self._root = os.geteuid() == 0
        self._slots = asyncio.Semaphore(max(1, parallel))

    def _argv(self, work: Path) -> list[str]:
        argv = [self._bwrap]
        for directory in _runtime_dirs():
            argv += ["--ro-bind", directory, directory]
        for link in ("/bin", "/lib", "/lib64", "/lib32"):
            if os.path.islink(link):
                argv += ["--symlink", os.readlink(link), link]
        argv += ["--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc"]
        argv += ["--bind", str(work), "/tmp/work", "--chdir", "/tmp/work"]
        argv += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
        # No --new-session: bwrap already leads a new session with no terminal (so there is
        # no tty to inject into), and staying in its process group lets one killpg end
        # everything, even before the PID namespace is torn down.
        argv += ["--die-with-parent", "--clearenv"]
        argv += ["--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp/work"]
        if self._root:
            argv += ["--", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            argv += ["--inh-caps=-all", "--bounding-set=-all"]
        else:
            argv += ["--unshare-user", "--"]
        return [*argv, _python(), "-I", "-S", "-B", "main.py"]

    @staticmethod
    def _limits(cpu_s: int) -> None:
        """Runs in the child between fork and exec: limits the sandbox inherits."""
        for kind, value in (
            (resource.RLIMIT_CPU, cpu_s),
            (resource.RLIMIT_AS, MEMORY_BYTES),
            (resource.RLIMIT_FSIZE, FILE_BYTES),
            (resource.RLIMIT_NOFILE, OPEN_FILES),
            (resource.RLIMIT_NPROC, PROCESSES),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(kind, (value, value))

    async def run(self, program: Program) -> RunResult:
        """Run ``program`` as ``main.py`` in a fresh directory; the directory is then deleted."""
        async with self._slots:
            with tempfile.TemporaryDirectory(prefix="mp-sbx-") as tmp:
                work, log = Path(tmp) / "work", Path(tmp) / "output.log"
                work.mkdir()
                nonce = secrets.token_hex(16)
                (work / "main.py").write_text(_PREFIX + program.source + _SUFFIX, encoding="utf-8")
                work.chmod(0o777)
                cpu = max(1, int(program.timeout_s))
                with log.open("wb") as out:
                    proc = await asyncio.create_subprocess_exec(
                        *self._argv(work),
                        stdin=asyncio.subprocess.PIPE,
                        stdout=out,
                        stderr=out,
                        start_new_session=True,
                        preexec_fn=lambda: self._limits(cpu),
                    )
                    try:
                        await _send(proc, nonce)
                        code = await asyncio.wait_for(proc.wait(), program.timeout_s + 2)
                    except TimeoutError:
                        await _reap(proc.pid)
                        await proc.wait()
                        return RunResult("timeout", None, _tail(log))
                    except BaseException:
                        await _reap(proc.pid)
                        await proc.wait()
                        raise
                await _reap(proc.pid)
                tail = _tail(log)
                if code == 0 and nonce in tail:
                    return RunResult("passed", 0, tail.replace(nonce, "[tests finished]"))
                if code == 0:
                    return RunResult("failed", 0, tail + "\n[exited before its tests finished]")
                if code < 0 or code == 128 + signal.SIGXCPU or code == 128 + signal.SIGKILL:
                    return RunResult("killed", code, tail)
                return RunResult("failed", code, tail)


# The harness reads a one-time token from stdin before any of the program runs and prints it
# after the last line: exit status 0 without the token means the program left early (an
# ``exit()``/``sys.exit(0)`` in the answer), which is a failure, not a pass. (A program built
# to cheat could still find the token in memory; the sandbox keeps that harmless, not honest.)
_PREFIX = (
    "import sys as _mp_sys\n_mp_done = _mp_sys.stdin.readline().strip()\n_mp_sys.stdin.close()\n"
)
_SUFFIX = "\n\n_mp_sys.stdout.write('\\n' + _mp_done + '\\n')\n_mp_sys.stdout.flush()\n"


async def _send(proc: asyncio.subprocess.Process, nonce: str) -> None:
    if proc.stdin is None:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        proc.stdin.write(nonce.encode() + b"\n")
        await proc.stdin.drain()
    proc.stdin.close()


async def _reap(group: int) -> None:
    """Kill the sandbox's process group until no live member is left (bounded).

    bwrap reports its child's exit before the PID namespace is fully torn down, so a child
    the program forked can outlive the run by a moment; this waits that moment out.
    Zombies (already dead, waiting for their parent to collect them) do not count.
    """
    for _ in range(100):
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        if not _live_members(group):
            return
        await asyncio.sleep(0.02)


def _live_members(group: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == group and fields[0] not in {"Z", "X"}:
            return True
    return False


def _tail(log: Path) -> str:
    try:
        with log.open("rb") as handle:
            handle.seek(max(0, log.stat().st_size - _TAIL))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


async def open_sandbox(*, parallel: int | None = None) -> Sandbox:
    """A working sandbox, proven by running a tiny program; else ``SandboxError``.

    Why: a sandbox that silently fails to isolate would be worse than none, so the code pack
    refuses to start unless bubblewrap is present and a probe program passes in it.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError(
            "capability code pack: bubblewrap ('bwrap') is not installed, and model-written "
            "code never runs without a sandbox; install it (apt-get install bubblewrap) or "
            "leave the pack out (--option capability.packs=...)"
        )
    sandbox = Sandbox(bwrap, parallel=parallel or os.cpu_count() or 1)
    probe = await sandbox.run(
        Program(
            "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), 1)\n"
            "    raise SystemExit(3)\nexcept OSError:\n    print('ok')\n",
            timeout_s=5,
        )
    )
    if not probe.passed:
        raise SandboxError(
            f"capability code pack: the bubblewrap sandbox does not work here ({probe.status}, "
            f"{probe.tail.strip()[-200:] or 'no output'}); model-written code never runs "
            "without one"
        )
    return sandbox
