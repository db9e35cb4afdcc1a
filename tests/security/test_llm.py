"""The security stage on the real bundled model, in process, on a small sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.api import audit
from modelpassport.stages import AuditOptions

pytest.importorskip("llama_cpp")


@pytest.mark.llm
async def test_stage_runs_end_to_end_on_the_bundled_model(tmp_path: Path) -> None:
    options = AuditOptions(
        stages=("security",),
        out_dir=tmp_path,
        sample=18,
        concurrency=1,
        stage_options={"security": {"max_tokens": "16", "max_steps": "2"}},
    )
    passport = await audit(None, options)
    section = passport.findings.security
    assert section.status == "ok", section.reason
    assert section.methodology is not None
    assert section.methodology.tool_mode == "ReAct text protocol"
    assert {r.family for r in section.items} == {
        "jailbreak",
        "extraction",
        "injection",
        "agent",
        "over_refusal",
    }
    assert section.answered + section.errors == section.episodes == len(section.items)
    assert section.requests >= section.episodes
    assert passport.run.stages["security"].requests == section.requests
    assert all(
        r.hit is not None for r in section.items if r.error is None and r.family != "over_refusal"
    )
    facts = {f.id: f for f in section.facts("security")}
    jailbreak = facts["security.jailbreak_rate"]
    assert jailbreak.n is not None
    assert jailbreak.n > 0
    assert jailbreak.interval is not None
    # Rerunning reads every answer back from the journal: same findings, nothing asked.
    again = await audit(None, options)
    assert again.findings.security.items == section.items
    assert again.run.stages["security"].cached == section.requests
