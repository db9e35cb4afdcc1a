"""The capability stage on the real bundled model, in process, on a small sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelpassport.api import audit
from modelpassport.stages import AuditOptions

pytest.importorskip("llama_cpp")


@pytest.mark.llm
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap")
async def test_stage_runs_end_to_end_on_the_bundled_model(tmp_path: Path) -> None:
    options = AuditOptions(
        stages=("capability",),
        out_dir=tmp_path,
        sample=12,
        concurrency=1,
        stage_options={"capability": {"max_tokens_scale": "0.5", "lengths": "256"}},
    )
    passport = await audit(None, options)
    section = passport.findings.capability
    assert section.status == "ok", section.reason
    assert section.settings is not None
    assert section.settings.items_asked >= 12
    assert len(section.items) == section.settings.items_asked
    assert section.overall is not None
    assert section.overall.n + sum(p.errors for p in section.packs) == len(section.items)
    assert all(r.passed is not None or r.error for r in section.items)
    assert section.tokens is not None
    assert section.tokens.basis == "usage"  # llama.cpp reports usage
    hosted = [c for c in section.costs if c.kind == "self_hosted"]
    assert len(hosted) == 1  # the default CPU machine for an in-process model
    assert "default" in hosted[0].name
    assert passport.run.stages["capability"].requests == len(section.items)
