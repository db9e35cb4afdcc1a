"""The bench stage against llama.cpp on the bundled GGUF: its real OpenAI-compatible server,
and the in-process target that ``modelpassport audit`` uses by default.

Two settings of the same server: one that serves concurrent requests correctly (queued,
``interrupt_requests`` off), and the default, which ends a running stream early with HTTP 200
and no finish_reason as soon as another request waits. The honesty checks must flag the
second, not report it as a fast point.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from modelpassport.api import audit
from modelpassport.bench._honesty import NO_FINISH
from modelpassport.passport.sections.bench import BenchSection
from modelpassport.refs import default_model_path
from modelpassport.stages import AuditOptions

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None
        or importlib.util.find_spec("sse_starlette") is None,
        reason="needs modelpassport[llamacpp] (llama-cpp-python and its server extra)",
    ),
]

STARTUP_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(model: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """llama_cpp.server on 127.0.0.1, one thread, waiting until it lists its model."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "512",
        "--n_threads",
        "1",
        "--n_threads_batch",
        "1",
        *extra,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200:
                return proc, base_url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("llama_cpp.server did not start in time")


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    proc, base_url = start_server(default_model_path(), *request.param)
    try:
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def bench(base_url: str, out: Path) -> BenchSection:
    options = AuditOptions(
        stages=("bench",),
        out_dir=out,
        concurrency=2,
        timeout_s=60.0,
        stage_options={
            "bench": {
                "concurrency": "1,2",
                "requests": "2",
                "max_tokens": "8",
                "prompt_tokens": "16",
                "usd_per_hour": "0.0816",
            }
        },
    )
    passport = await audit(f"{base_url}#smollm2", options, files=default_model_path())
    return passport.findings.bench


@pytest.mark.parametrize("server", [("--interrupt_requests", "False")], indirect=True)
async def test_queued_server_gives_valid_points_and_bandwidth(server: str, tmp_path: Path) -> None:
    section = await bench(server, tmp_path)
    assert section.status == "ok", section.reason
    assert [p.concurrency for p in section.points] == [1, 2]
    for point in section.points:
        assert point.valid, point.invalid_reasons
        assert point.n_ok == 2
        # llama.cpp's server streams no usage: tokens are re-counted with the GGUF tokenizer
        assert point.token_source == "tokenizer"
        assert 0 < point.output_tokens <= 2 * (8 + 1)
    assert section.bandwidth is not None
    assert section.bandwidth.model_bytes == default_model_path().stat().st_size
    assert section.bandwidth.utilisation > 0
    hosted = [c for c in section.costs if c.kind == "self_hosted"]
    assert hosted
    assert hosted[0].usd_per_mtok_output is not None
    assert hosted[0].usd_per_mtok_output > 0


@pytest.mark.parametrize("server", [()], indirect=True)
async def test_default_server_truncates_concurrent_streams_and_is_flagged(
    server: str, tmp_path: Path
) -> None:
    section = await bench(server, tmp_path)
    assert section.status == "ok", section.reason
    single, double = section.points
    assert single.valid
    assert not double.valid
    assert double.invalid_reasons.get(NO_FINISH, 0) >= 1
    assert double.n_ok + double.n_invalid == 2
    assert "invalid" in section.summary()


async def test_bundled_model_in_process_is_benched_and_priced(tmp_path: Path) -> None:
    options = AuditOptions(
        stages=("bench",),
        out_dir=tmp_path,
        concurrency=2,
        timeout_s=60.0,
        stage_options={
            "bench": {
                "concurrency": "1,2",
                "requests": "2",
                "max_tokens": "8",
                "prompt_tokens": "24",
                "gpu": "aws-m7g.large",
            }
        },
    )
    section = (await audit(None, options)).findings.bench
    assert section.status == "ok", section.reason
    assert all(p.valid for p in section.points), [p.invalid_reasons for p in section.points]
    assert {p.token_source for p in section.points} == {"usage"}
    assert section.bandwidth is not None
    assert section.bandwidth.decode_tokens_per_s > 0
    assert any("one generation at a time" in note for note in section.notes)
    machine = [c for c in section.costs if c.kind == "self_hosted"]
    assert machine[0].usd_per_hour == 0.0816
