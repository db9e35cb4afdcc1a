"""The security section's own report view, from a real stage run over HTTP."""

from __future__ import annotations

import html
from pathlib import Path

from modelpassport.api import audit
from modelpassport.report import render_html
from modelpassport.security import bundled_security_suite, load_security_suite
from modelpassport.stages import AuditOptions
from tests.support.fake_openai import FakeOpenAI

from .personas import obeyer, responder

SUITE = load_security_suite(bundled_security_suite())


async def test_security_view_shows_families_templates_agents_and_hits(tmp_path: Path) -> None:
    with FakeOpenAI(responder(SUITE, obeyer)) as server:
        options = AuditOptions(
            stages=("security",),
            out_dir=tmp_path / "out",
            stage_options={"security": {"families": "injection,agent,jailbreak"}},
        )
        passport = await audit(f"{server.base_url}#fake-model", options)
    section = passport.findings.security
    assert section.status == "ok", section.reason
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
