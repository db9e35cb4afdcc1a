"""The narratives stage on the real bundled model, in process, on a tiny sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.api import audit
from modelpassport.stages import AuditOptions

pytest.importorskip("llama_cpp")


@pytest.mark.llm
async def test_stage_runs_end_to_end_on_the_bundled_model(tmp_path: Path) -> None:
    options = AuditOptions(
        stages=("narratives",),
        out_dir=tmp_path,
        sample=8,
        concurrency=1,
        stage_options={"narratives": {"max_tokens": "48"}},
    )
    passport = await audit(None, options)
    section = passport.findings.narratives
    assert section.status == "ok", section.reason
    assert section.items_asked >= 8
    assert section.answers + section.errors == len(section.items) == section.items_asked
    assert section.overall is not None
    outcomes = {r.outcome for r in section.items if r.error is None}
    assert outcomes <= {"complete", "evasive", "refusal"}
    assert all(r.answer is not None for r in section.items if r.error is None)
    assert section.scorer is not None
    assert section.scorer.startswith("lexical@")
    assert passport.run.stages["narratives"].requests == section.items_asked
