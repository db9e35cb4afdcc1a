"""The capability stage end to end against a real HTTP server scripted with right and wrong
answers: scores, gaps, truncation, errors, readiness, cost per quality and the facts."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelpassport.api import audit
from modelpassport.capability._options import CapabilityOptions
from modelpassport.capability._suite import build_suite
from modelpassport.capability._task import Task
from modelpassport.errors import ModelPassportError
from modelpassport.passport.sections import CapabilitySection
from modelpassport.policy import check_passport, parse_policy
from modelpassport.report import render_html
from modelpassport.stages import AuditOptions
from tests.support.fake_openai import FakeOpenAI, Reply

# Small packs, no HumanEval unless asked: the stage's logic, not the suite's size.
SETTINGS = {"size": "2", "humaneval": "false", "lengths": "128,256"}
NEEDS_BWRAP = pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap")
Persona = Callable[[Task], Reply]


def _tasks(settings: dict[str, str]) -> dict[str, Task]:
    options = CapabilityOptions.model_validate(settings)
    return {t.prompt: t for t in build_suite(options, seed=0)}


def oracle(task: Task) -> Reply:
    """Answers every item with its known-right answer (instruction items have none)."""
    ref = task.reference
    if ref is None:
        return Reply(text="Here is a short text.")
    if ref.tool_calls:
        calls = [{"id": f"c{i}", **call} for i, call in enumerate(ref.tool_calls)]
        return Reply(text="", tool_calls=calls, finish_reason="tool_calls")
    return Reply(text=ref.text)


def wrong(task: Task) -> Reply:
    """A confident wrong answer everywhere."""
    del task
    return Reply(text="Answer: 0")


def english_only(task: Task) -> Reply:
    """Right in English, wrong in Chinese."""
    return oracle(task) if task.lang == "en" else wrong(task)


async def _run(
    tmp_path: Path,
    persona: Persona,
    *,
    sample: int | None = None,
    ref_prefix: str | None = None,
    **extra: str,
) -> tuple[CapabilitySection, Any, FakeOpenAI]:
    settings = {**SETTINGS, **extra}
    by_prompt = _tasks(settings)

    def respond(body: dict[str, Any]) -> Reply:
        task = by_prompt.get(body["messages"][-1]["content"])
        return persona(task) if task else Reply(text="OK")  # the open-time liveness probe

    with FakeOpenAI(respond) as server:
        options = AuditOptions(
            stages=("capability",),
            out_dir=tmp_path / "out",
            sample=sample,
            stage_options={"capability": settings},
        )
        ref = ref_prefix or f"{server.base_url}#fake-model"
        passport = await audit(ref, options)
    section = passport.findings.capability
    return section, passport, server


def _packs(section: CapabilitySection) -> dict[str, Any]:
    return {p.pack: p for p in section.packs}


@NEEDS_BWRAP
async def test_oracle_passes_every_checked_pack(tmp_path: Path) -> None:
    section, passport, server = await _run(tmp_path, oracle, usd_per_hour="3.6")
    assert section.status == "ok", section.reason
    packs = _packs(section)
    assert set(packs) == set(CapabilityOptions().packs)
    for name in (
        "math",
        "code",
        "tools",
        "long_context",
        "translation",
        "finance",
        "health",
        "law",
    ):
        assert packs[name].accuracy.value == 1.0, (name, packs[name])
        assert packs[name].errors == 0
    assert packs["instruction"].accuracy.value is not None
    assert packs["instruction"].accuracy.value < 1.0
    assert packs["instruction"].checks is not None  # several checks per item: loose rate too
    assert "cluster-bootstrap" in (packs["instruction"].checks.interval.method or "")
    assert packs["math"].zh_en_gap is not None
    assert packs["math"].zh_en_gap.value == 0.0
    assert set(packs["instruction"].by_origin) == {"generated", "held_out"}
    # Every request went through the journal, with the tools natively for the tools pack.
    tool_requests = [r for r in server.requests if r.get("tools")]
    assert len(tool_requests) == packs["tools"].items
    assert passport.run.stages["capability"].requests == len(section.items)
    # Long context: both lengths pass, so the effective context is the longest tested.
    assert section.long_context is not None
    assert section.long_context.effective_tokens == 256
    # Cost: self-hosted from the given price, and catalog list prices for scale.
    hosted = [c for c in section.costs if c.kind == "self_hosted"]
    assert len(hosted) == 1
    row = hosted[0]
    assert row.cost_of_pass is not None
    assert row.usd_per_quality_point is not None
    accuracy = section.overall.value if section.overall else None
    assert accuracy
    assert row.usd_per_attempt.value is not None
    assert row.cost_of_pass.value is not None
    assert row.cost_of_pass.value == pytest.approx(row.usd_per_attempt.value / accuracy)
    assert row.usd_per_quality_point.value == pytest.approx(10 * row.cost_of_pass.value)
    assert row.cost_of_pass.interval is not None
    assert row.cost_of_pass.interval.low <= row.cost_of_pass.value <= row.cost_of_pass.interval.high
    assert any(c.kind == "api_price_reference" for c in section.costs)
    assert section.tokens is not None
    assert section.tokens.basis == "usage"
    facts = {f.id: f for f in section.facts("capability")}
    assert facts["capability.accuracy.math"].value == 1.0
    assert facts["capability.usd_per_quality_point"].value == pytest.approx(
        row.usd_per_quality_point.value
    )
    assert facts["capability.readiness.finance"].value in {"ready", "conditional"}
    assert facts["capability.effective_context"].value == 256


@NEEDS_BWRAP
async def test_wrong_answers_score_zero_and_verticals_are_not_ready(tmp_path: Path) -> None:
    section, passport, _ = await _run(tmp_path, wrong, packs="math,finance,law,code,long_context")
    assert section.status == "ok", section.reason
    packs = _packs(section)
    for name in ("math", "finance", "law", "code"):
        assert packs[name].accuracy.value == 0.0
        assert packs[name].accuracy.interval is not None
        assert packs[name].accuracy.interval.low == 0.0
    assert {r.vertical: r.verdict for r in section.readiness} == {
        "finance": "not ready",
        "law": "not ready",
    }
    assert all(c.cost_of_pass is None for c in section.costs)  # no pass, no cost of one
    facts = {f.id: f for f in section.facts("capability")}
    assert facts["capability.effective_context"].value == 0.0  # measured: none passes
    policy = parse_policy(
        'name = "t"\n[facts."capability.accuracy.finance"]\nmin = 0.8\nstatistic = "interval"\n',
        "p.toml",
    )
    verdict = check_passport(passport, policy)
    assert not verdict.passed


async def test_readiness_reads_the_lower_bound(tmp_path: Path) -> None:
    section, passport, _ = await _run(tmp_path, oracle, packs="finance,health", threshold="0.5")
    assert {r.verdict for r in section.readiness} == {"ready"}
    strict, *_ = await _run(tmp_path / "b", oracle, packs="finance,health", threshold="0.95")
    assert {r.verdict for r in strict.readiness} == {"conditional"}  # point 1.0, low < 0.95
    policy = parse_policy(
        'name = "t"\n[facts."capability.accuracy.finance"]\nmin = 0.5\nstatistic = "interval"\n'
        '[facts."capability.readiness.health"]\nallow = ["ready"]\n',
        "p.toml",
    )
    assert check_passport(passport, policy).passed


async def test_language_gap_is_paired_and_signed(tmp_path: Path) -> None:
    section, *_ = await _run(tmp_path, english_only, packs="math,finance")
    assert section.zh_en_gap is not None
    assert section.zh_en_gap.value == -1.0
    assert section.zh_en_gap.interval is not None
    assert section.zh_en_gap.interval.high < 0
    assert "paired" in section.zh_en_gap.method


async def test_truncated_answers_fail_and_are_counted(tmp_path: Path) -> None:
    def cut(task: Task) -> Reply:
        reply = oracle(task)
        if task.tier == "easy":
            return Reply(text=reply.text, finish_reason="length")
        return reply

    section, *_ = await _run(tmp_path, cut, packs="math")
    math = _packs(section)["math"]
    assert math.by_tier["easy"].value == 0.0
    assert math.by_tier["hard"].value == 1.0
    assert section.truncation is not None
    assert section.truncation.value == pytest.approx(1 / 3)
    assert all(r.truncated for r in section.items if r.tier == "easy")


async def test_unterminated_reasoning_is_a_truncation(tmp_path: Path) -> None:
    section, *_ = await _run(
        tmp_path, lambda t: Reply(text="<think>let me think about " + t.id), packs="math"
    )
    assert section.truncation is not None
    assert section.truncation.value == 1.0
    assert _packs(section)["math"].accuracy.value == 0.0


async def test_endpoint_errors_are_excluded_not_failed(tmp_path: Path) -> None:
    def flaky(task: Task) -> Reply:
        return Reply(status=400, text="bad") if task.lang == "zh" else oracle(task)

    section, *_ = await _run(tmp_path, flaky, packs="math")
    math = _packs(section)["math"]
    assert math.errors == math.items // 2
    assert math.accuracy.value == 1.0
    assert math.accuracy.n == math.items // 2
    assert all(r.passed is None and r.error for r in section.items if r.lang == "zh")


async def test_sample_is_used_and_stratified(tmp_path: Path) -> None:
    section, *_ = await _run(tmp_path, oracle, sample=20, packs="math,finance,law")
    assert section.settings is not None
    assert section.settings.sample_requested == 20
    assert 20 <= section.settings.items_asked <= 21
    assert {p.pack for p in section.packs} == {"math", "finance", "law"}


async def test_hosted_api_is_priced_from_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {**SETTINGS, "packs": "math"}
    by_prompt = _tasks(settings)

    def respond(body: dict[str, Any]) -> Reply:
        task = by_prompt.get(body["messages"][-1]["content"])
        return oracle(task) if task else Reply(text="OK")

    with FakeOpenAI(respond) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        options = AuditOptions(
            stages=("capability",),
            out_dir=tmp_path / "out",
            stage_options={"capability": settings},
        )
        passport = await audit("openai:gpt-4o-mini", options)
    section = passport.findings.capability
    assert section.status == "ok", section.reason
    api = [c for c in section.costs if c.kind == "api"]
    assert [c.name for c in api] == ["openai:gpt-4o-mini"]
    assert not any(c.kind == "api_price_reference" for c in section.costs)
    assert api[0].cost_of_pass is not None
    assert api[0].cost_of_pass.value
    facts = {f.id: f for f in section.facts("capability")}
    assert facts["capability.cost_of_pass"].value == pytest.approx(api[0].cost_of_pass.value)


async def test_no_sandbox_fails_the_stage_before_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    section, _, server = await _run(tmp_path, oracle, packs="code,math")
    assert section.status == "error"
    assert "bubblewrap" in (section.reason or "")
    assert [r for r in server.requests if "Python" in str(r["messages"])] == []
    facts = {f.id: f for f in section.facts("capability")}
    assert facts["capability.accuracy.code"].value is None  # missing, never zero


async def test_bad_options_fail_with_the_option_named(tmp_path: Path) -> None:
    for key, value in (("packs", "poetry"), ("gpu", "no-such-machine"), ("lengths", "8")):
        options = AuditOptions(
            stages=("capability",),
            out_dir=tmp_path / key,
            stage_options={"capability": {"packs": "math", key: value}},
        )
        with (
            FakeOpenAI() as server,
            pytest.raises(ModelPassportError, match=rf"capability\.{key}"),
        ):
            await audit(f"{server.base_url}#fake-model", options)


async def test_report_shows_packs_costs_and_readiness(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text('{"results": {"gsm8k": {"exact_match,flexible-extract": 0.41}}}')
    section, passport, _ = await _run(
        tmp_path, oracle, packs="math,finance", usd_per_hour="2", external=str(results)
    )
    assert [(r.task, r.label) for r in section.external] == [("gsm8k", "not run by modelpassport")]
    assert section.overall is not None
    assert section.overall.value == 1.0  # imported results never enter the scores
    assert section.status == "ok", section.reason
    html = render_html(passport)
    assert "Accuracy by pack" in html
    assert "Cost per quality" in html
    assert "Vertical readiness (not clinical" in html
    assert "(not run by modelpassport)" in html
    assert "this section's layout is not the one" not in html
    cards = [f for f in passport.findings.capability.facts("capability") if f.card]
    assert {f.id for f in cards} == {"capability.accuracy", "capability.usd_per_quality_point"}
