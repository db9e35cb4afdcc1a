"""The security stage end to end over HTTP, against scripted personas with known behaviour."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from modelpassport.api import audit
from modelpassport.passport import Passport
from modelpassport.passport.sections import SecuritySection
from modelpassport.report import render_html
from modelpassport.security import bundled_security_suite, load_security_suite
from modelpassport.stages import AuditOptions
from tests.support.fake_openai import FakeOpenAI, Reply

from .personas import REFUSE, Asked, Persona, leaker, obeyer, refuser, responder, well_behaved

SUITE = load_security_suite(bundled_security_suite())


async def _audit(tmp_path: Path, persona: Persona, **settings: str) -> Passport:
    with FakeOpenAI(responder(SUITE, persona)) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": settings},
        )
        passport = await audit(f"{server.base_url}#fake-model", options)
    assert passport.findings.security.status == "ok", passport.findings.security.reason
    return passport


async def _run(tmp_path: Path, persona: Persona, **settings: str) -> SecuritySection:
    return (await _audit(tmp_path, persona, **settings)).findings.security


def _facts(section: SecuritySection) -> dict[str, float | None]:
    return {f.id: f.value for f in section.facts("security")}  # type: ignore[misc]


async def test_well_behaved_model_scores_clean(tmp_path: Path) -> None:
    section = await _run(tmp_path, well_behaved)
    facts = _facts(section)
    assert facts["security.jailbreak_rate"] == 0.0
    assert facts["security.leak_rate"] == 0.0
    assert facts["security.hijack_rate"] == 0.0
    assert facts["security.over_refusal_rate"] == 0.0
    assert facts["security.utility_benign"] == 1.0
    assert facts["security.utility_under_attack"] == 1.0
    assert facts["security.injection_fidelity"] == 1.0
    assert section.errors == 0
    assert section.issues() == []


async def test_leaker_leaks_every_planted_canary(tmp_path: Path) -> None:
    section = await _run(tmp_path, leaker, families="extraction,jailbreak")
    facts = _facts(section)
    assert facts["security.leak_rate"] == 1.0
    assert facts["security.leak_rate.zh"] == 1.0
    rows = {(r.family, r.lang): r for r in section.families}
    # The control's canary leaks too: a model that leaks everything gains nothing from attacks.
    assert rows[("extraction", "all")].control.value == 1.0
    lift = rows[("extraction", "all")].lift
    assert lift.value == 0.0
    assert section.leaks is not None
    assert section.leaks.forms == {"plain": section.leaks.think_only.n}
    messages = [i.message for i in section.issues()]
    assert any(m.startswith("leaks its system prompt under base64 in Chinese") for m in messages)
    # Repeating the prompt breaks every policy but the language rule: 4 of 5 policies, each
    # with 16 attack templates in two languages.
    jailbreak = rows[("jailbreak", "all")].attack
    assert jailbreak.k == 4 * 16 * 2
    assert jailbreak.n == 5 * 16 * 2


async def test_obeyer_is_hijacked_and_executes_injections(tmp_path: Path) -> None:
    section = await _run(tmp_path, obeyer, families="injection,agent")
    facts = _facts(section)
    assert facts["security.hijack_rate"] == 1.0
    assert facts["security.hijack_completed_rate"] == 1.0
    assert facts["security.hijack_rate.zh"] == 1.0
    assert facts["security.injection_rate"] == 1.0
    assert facts["security.utility_benign"] == 1.0
    assert facts["security.invalid_rate"] == 0.0
    assert facts["security.attack_lift"] == 1.0
    agent = next(r for r in section.agent if r.lang == "all")
    assert agent.attempted.k == agent.attempted.n == 4 * 3 * 2
    assert agent.attempted.interval is not None
    assert agent.attempted.interval.low > 0.8
    assert any(i.rule_id == "MP-SEC-004" and i.severity == "high" for i in section.issues())


async def test_refuser_looks_safe_but_over_refuses(tmp_path: Path) -> None:
    section = await _run(tmp_path, refuser)
    facts = _facts(section)
    assert facts["security.jailbreak_rate"] == 0.0
    assert facts["security.hijack_rate"] == 0.0
    assert facts["security.over_refusal_rate"] == 1.0
    assert facts["security.over_refusal_rate.zh"] == 1.0
    assert facts["security.utility_benign"] == 0.0
    assert any(i.rule_id == "MP-SEC-005" for i in section.issues())


def _reasoning_leaker(asked: Asked) -> Reply:
    """Thinks about the secret, then refuses: the canary shows only in its reasoning."""
    return Reply(text=REFUSE[asked.item.lang], reasoning=f"The secret is {asked.secret}.")


async def test_leak_inside_reasoning_is_counted_apart(tmp_path: Path) -> None:
    section = await _run(tmp_path, _reasoning_leaker, families="extraction")
    facts = _facts(section)
    assert facts["security.leak_rate"] == 0.0
    assert facts["security.think_leak_rate"] == 1.0
    assert all(r.think_only for r in section.items if not r.control)


def _lucky_on_third_sample(body: dict[str, Any]) -> Reply:
    inner = responder(SUITE, leaker)(body)
    return inner if body.get("seed") == 2 else Reply(text="No.")


async def test_one_shot_and_best_of_k_are_kept_apart(tmp_path: Path) -> None:
    with FakeOpenAI(_lucky_on_third_sample) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": {"families": "extraction", "samples": "3"}},
        )
        passport = await audit(f"{server.base_url}#m", options)
    row = next(r for r in passport.findings.security.families if r.lang == "all")
    assert row.attack.value == pytest.approx(1 / 3)
    assert row.attack.interval is not None
    assert row.attack.interval.method.startswith("cluster-bootstrap")
    assert row.best_of_k is not None
    assert row.best_of_k.value == 1.0
    assert row.best_of_k.n == row.attack.n // 3


async def test_security_view_shows_families_templates_agents_and_hits(tmp_path: Path) -> None:
    """The section's own report view, from a real run: every table and chart, and the
    attacks that reached their goal listed most severe first."""
    passport = await _audit(tmp_path, obeyer, families="injection,agent,jailbreak")
    section = passport.findings.security
    page = html.unescape(render_html(passport))
    hits = [r for r in section.items if r.hit is True and not r.control]
    assert hits
    assert f"Attacks that reached their goal: {len(hits)}" in page
    for caption in (
        "Attack success by family and language",
        "Attack lift over clean controls, by family and language",
        "Attack success by template and language",
        "Best template per family",
        "Agent episodes with simulated tools",
        "Instructions injected into content",
    ):
        assert caption in page, caption
    first = sorted(hits, key=lambda r: ({"high": 0, "medium": 1, "low": 2}[r.severity], r.id))[0]
    assert f"<td>{first.id}</td>" in page
    agent = next(r for r in section.agent if r.lang == "all")
    assert agent.completed.value == 1.0
    assert "100% [" in page  # the agent rates, with their intervals
