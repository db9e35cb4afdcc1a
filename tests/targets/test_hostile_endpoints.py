"""Hostile endpoints over real sockets: endless answers, absurd counts, refused keys mid-run,
servers that echo credentials. Each is bounded, typed and recorded, never a traceback."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.errors import ModelPassportError
from modelpassport.probes import run_requests
from modelpassport.stages import AuditOptions, NullProgress, StageContext, ask
from modelpassport.store import Journal
from modelpassport.targets import (
    Limits,
    PermanentTargetError,
    TargetError,
    TargetSpec,
    TransientTargetError,
    open_target,
)
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import ask as request_of
from .conftest import collect

CAP = 256 * 1024
LIMITS = Limits(
    max_retries=1, backoff_base_s=0.001, backoff_max_s=0.002, timeout_s=20, max_response_bytes=CAP
)
FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def _target(server: FakeOpenAI, limits: Limits = LIMITS, **spec: Any) -> Any:
    return open_target(TargetSpec("openai_compat", "m", base_url=server.base_url, **spec), limits)


@pytest.mark.parametrize("stream", [False, True])
async def test_an_endless_answer_stops_at_the_cap(stream: bool) -> None:
    with FakeOpenAI(default=Reply(endless=True)) as server:
        target = _target(server)
        read = collect(target, request_of()) if stream else target.chat(request_of())
        with pytest.raises(PermanentTargetError, match="response cap"):
            await read
        await target.aclose()


def _body(prompt_tokens: str, finish: str = '"stop"') -> bytes:
    return (
        '{"model": "m", "choices": [{"index": 0, "message": {"role": "assistant", '
        f'"content": "Fine."}}, "finish_reason": {finish}}}], '
        f'"usage": {{"prompt_tokens": {prompt_tokens}, "completion_tokens": 2}}}}'
    ).encode()


_COUNTS = st.one_of(
    st.sampled_from(["1e999", "-1e999", "1e308", "-3", "3.5", "true", "null", '"12"', "[1]"]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


@FEW
@given(_COUNTS)
async def test_absurd_usage_counts_are_not_reported_never_a_traceback(count: str) -> None:
    with FakeOpenAI(default=Reply(raw_body=_body(count))) as server:
        target = _target(server)
        completion = await target.chat(request_of())
        await target.aclose()
    assert completion.text == "Fine."
    prompt = completion.usage.prompt
    assert prompt is None or (isinstance(prompt, int) and 0 <= prompt < 2**40)
    assert completion.usage.completion == 2


@pytest.mark.parametrize("finish", ["5", "[]", '{"a": 1}'])
async def test_malformed_fields_are_an_endpoint_error(finish: str) -> None:
    with FakeOpenAI(default=Reply(raw_body=_body("3", finish))) as server:
        target = _target(server)
        with pytest.raises(TransientTargetError, match="malformed answer"):
            await target.chat(request_of())
        await target.aclose()


class _RefuseAfter:
    """Answers ``n`` requests, then refuses the key on every later one."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = itertools.count()
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            i = next(self.count)
        return Reply(text="ok") if i < self.n else Reply(status=401, text="invalid api key")


@FEW
@given(st.integers(0, 12), st.integers(1, 6))
async def test_a_refused_key_stops_the_run_and_fails_the_stage(
    tmp_path_factory: pytest.TempPathFactory, answered: int, concurrency: int
) -> None:
    tmp = tmp_path_factory.mktemp("auth")
    requests = [request_of(f"question {i}") for i in range(30)]
    with FakeOpenAI(_RefuseAfter(answered)) as server:
        target = _target(server, Limits(concurrency=concurrency, max_retries=0))
        journal = Journal(tmp / "journal.sqlite")
        options = AuditOptions(stages=("narratives",), out_dir=tmp, concurrency=concurrency)
        ctx = StageContext("endpoint", None, target, journal, options, NullProgress())
        with pytest.raises(ModelPassportError, match="HTTP 401"):
            await ask(ctx, requests, label="narratives")
        sent = len(server.requests)
        await target.aclose()
        journal.close()
    # Only what was already in flight when the refusal came is sent after it.
    assert sent <= answered + concurrency
    assert ctx.counters["errors"] == 30 - min(answered, 30)


async def test_not_sent_requests_say_so(tmp_path: Path) -> None:
    with FakeOpenAI(_RefuseAfter(2)) as server:
        target = _target(server, Limits(concurrency=1, max_retries=0))
        journal = Journal(tmp_path / "j.sqlite")
        outcomes = await run_requests(
            target, [request_of(f"q{i}") for i in range(6)], journal, stage="s", concurrency=1
        )
        await target.aclose()
        journal.close()
    kinds = [o.error.kind if o.error else "ok" for o in outcomes]
    assert kinds == ["ok", "ok", *["AuthTargetError"] * 4]
    assert all(o.error.message.startswith("not sent:") for o in outcomes[3:] if o.error)
    assert len(server.requests) == 3


class _Echo:
    """Echoes the request's credential header in the answer, the raw payload and errors."""

    def __init__(self, server_ref: list[FakeOpenAI], status: int) -> None:
        self.server_ref = server_ref
        self.status = status

    def __call__(self, body: dict[str, Any]) -> Reply:
        headers = self.server_ref[0].request_headers[-1]
        seen = headers.get("authorization", "")
        if self.status != 200:
            return Reply(status=self.status, text=f"bad header {seen}")
        return Reply(text=f"you sent {seen} and {seen.partition(' ')[2]}")


_KEYS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=48
)


@FEW
@given(_KEYS, st.sampled_from([200, 400, 401, 500]))
async def test_echoed_credentials_never_reach_what_is_written(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, key: str, status: int
) -> None:
    monkeypatch.setenv("MP_TEST_KEY", key)
    tmp = tmp_path_factory.mktemp("echo")
    ref: list[FakeOpenAI] = []
    with FakeOpenAI(_Echo(ref, status)) as server:
        ref.append(server)
        target = _target(server, api_key_env="MP_TEST_KEY")
        journal = Journal(tmp / "journal.sqlite")
        outcomes = await run_requests(target, [request_of()], journal, stage="s")
        texts = [await _stream_text(target)]
        await target.aclose()
        journal.close()
    assert server.request_headers[0]["authorization"] == f"Bearer {key}"  # it was sent
    outcome = outcomes[0]
    written = json.dumps(
        [
            outcome.completion.model_dump(mode="json") if outcome.completion else None,
            outcome.error.message if outcome.error else None,
            texts,
        ]
    )
    assert key not in written
    stored = b"".join(p.read_bytes() for p in tmp.iterdir())
    assert key.encode() not in stored


async def _stream_text(target: Any) -> str:
    try:
        chunks = await collect(target, request_of())
    except TargetError as exc:
        return str(exc)
    return "".join(c.text for c in chunks)
