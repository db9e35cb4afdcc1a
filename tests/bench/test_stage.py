"""The bench stage end to end: options, sweep, points file, costs, and clear failures."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from modelpassport.api import audit
from modelpassport.bench import BenchStage
from modelpassport.bench._honesty import NO_FINISH
from modelpassport.errors import InputError, ModelPassportError
from modelpassport.stages import AuditOptions, StageContext
from modelpassport.store import Journal
from modelpassport.targets import Limits, TargetSpec, open_target
from tests.support.fake_openai import FakeOpenAI, Reply

STEADY = Reply(chunks=[f"w{i} " for i in range(4)], ttft_s=0.05, itl_s=0.01)


def options(tmp_path: Path, **bench: str) -> AuditOptions:
    return AuditOptions(
        stages=("bench",),
        out_dir=tmp_path,
        concurrency=4,
        timeout_s=5.0,
        stage_options={"bench": bench},
    )


async def test_audit_runs_the_bench_sweep_and_prices_it(tmp_path: Path) -> None:
    with FakeOpenAI(default=STEADY) as server:
        passport = await audit(
            f"{server.base_url}#fake-model",
            options(
                tmp_path,
                concurrency="1,2",
                rates="20",
                requests="4",
                usd_per_hour="2.5",
                slo_ttft_s="1.0",
            ),
        )
        sent = len(server.requests)
    section = passport.findings.bench
    assert section.status == "ok", section.reason
    assert [(p.mode, p.concurrency, p.rate_rps) for p in section.points] == [
        ("concurrency", 1, None),
        ("concurrency", 2, None),
        ("rate", None, 20.0),
    ]
    assert all(p.valid and p.n_ok == 4 for p in section.points)
    assert sent == 1 + 1 + 3 * 4  # preflight + warm-up + measured
    first = section.points[0]
    assert first.ttft_s.p50 is not None
    assert 0.05 - 0.002 <= first.ttft_s.p50 <= 0.05 + 0.06
    assert first.slo_attainment is not None
    assert first.slo_attainment.k == 4
    hosted = [c for c in section.costs if c.kind == "self_hosted"]
    assert len(hosted) == 1
    assert hosted[0].usd_per_hour == 2.5
    assert {c.kind for c in section.costs} == {"self_hosted", "api"}
    assert section.bandwidth is None  # no model file: nothing to divide by
    lines = (tmp_path / "bench-points.jsonl").read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["point"]["concurrency"] == 1
    assert "out tok/s" in section.summary()
    assert passport.run.stages["bench"].requests == 13


async def test_a_failing_server_stops_the_sweep_but_keeps_finished_points(
    tmp_path: Path,
) -> None:
    served = 0

    def responder(_: dict[str, object]) -> Reply:
        nonlocal served
        served += 1
        return STEADY if served <= 5 else Reply(status=503, text="overloaded")

    with FakeOpenAI(responder) as server:
        spec = TargetSpec("openai_compat", "fake-model", base_url=server.base_url)
        target = open_target(spec, Limits(concurrency=4, max_retries=0))
        journal = Journal(tmp_path / "journal.sqlite")
        ctx = StageContext(
            "endpoint", None, target, journal, options(tmp_path, concurrency="1,2,4", requests="4")
        )
        try:
            section = await BenchStage().run(ctx)
        finally:
            await target.aclose()
            journal.close()
    assert [p.concurrency for p in section.points] == [1, 2]  # 4 was never sent
    assert section.points[0].valid
    assert section.points[1].n_errors == 4
    assert section.points[1].errors == {"TransientTargetError": 4}
    assert any("sweep stopped after concurrency 2" in n for n in section.notes)
    assert len((tmp_path / "bench-points.jsonl").read_text().splitlines()) == 2


async def test_a_server_that_never_says_why_it_stopped_gives_invalid_points(
    tmp_path: Path,
) -> None:
    silent_end = Reply(chunks=["a ", "b"], finish_reason=None)
    with FakeOpenAI(default=silent_end) as server:
        passport = await audit(
            f"{server.base_url}#fake-model",
            options(tmp_path, concurrency="1,2", requests="2", usd_per_hour="1"),
        )
    section = passport.findings.bench
    assert section.status == "ok"
    assert [p.valid for p in section.points] == [False, False]
    assert all(p.invalid_reasons == {NO_FINISH: 2} for p in section.points)
    assert section.costs == []
    assert any("No cost table" in note for note in section.notes)
    assert section.summary() == "no valid bench point (2 flagged invalid)"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_stage(tmp_path: Path, base_url: str, **bench: str) -> None:
    spec = TargetSpec("openai_compat", "fake-model", base_url=base_url)
    target = open_target(spec, Limits(concurrency=4, max_retries=0, timeout_s=5))
    journal = Journal(tmp_path / "journal.sqlite")
    try:
        await BenchStage().run(StageContext("x", None, target, journal, options(tmp_path, **bench)))
    finally:
        await target.aclose()
        journal.close()


async def test_unreachable_endpoint_fails_with_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ModelPassportError, match="bench warm-up request failed"):
        await run_stage(tmp_path, f"http://127.0.0.1:{closed_port()}/v1")


async def test_a_silent_server_fails_by_timeout(tmp_path: Path) -> None:
    with (
        FakeOpenAI(default=Reply(hang=True)) as server,
        pytest.raises(
            ModelPassportError, match=r"warm-up request failed: timeout: not finished within 0.3 s"
        ),
    ):
        await run_stage(tmp_path, server.base_url, request_timeout_s="0.3")


async def test_concurrency_above_the_target_limit_is_refused(tmp_path: Path) -> None:
    with FakeOpenAI(default=STEADY) as server, pytest.raises(InputError, match="--concurrency 4"):
        await run_stage(tmp_path, server.base_url, concurrency="1,8")


async def test_an_unknown_gpu_is_refused_before_any_request(tmp_path: Path) -> None:
    with FakeOpenAI(default=STEADY) as server:
        with pytest.raises(InputError, match=r"bench.gpu=h999: expected one of .*lambda-h100-sxm"):
            await run_stage(tmp_path, server.base_url, gpu="h999")
        assert server.requests == []


async def test_unmet_slos_price_the_apis_but_not_the_machine(tmp_path: Path) -> None:
    with FakeOpenAI(default=STEADY) as server:
        passport = await audit(
            f"{server.base_url}#fake-model",
            options(tmp_path, concurrency="1", requests="2", gpu="lambda-a10", slo_ttft_s="0.001"),
        )
    section = passport.findings.bench
    assert section.points[0].valid
    assert section.points[0].slo_attainment is not None
    assert section.points[0].slo_attainment.k == 0
    assert {c.kind for c in section.costs} == {"api"}
    assert any("no valid point meets the SLOs" in note for note in section.notes)
