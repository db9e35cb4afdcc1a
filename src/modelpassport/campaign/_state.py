"""The campaign's progress file: which audits finished, which failed, and why.

One small JSON document, rewritten atomically (written beside, flushed to disk, renamed over
the old one) after every change, so a campaign killed at any instant leaves either the old or
the new state, never a torn one. Each model's own journal keeps its finished requests; this
file only says which whole audits are done, so a rerun skips them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from modelpassport.errors import InputError

STATE_FORMAT = "modelpassport-campaign-state/1"
AuditStatus = Literal["pending", "running", "complete", "incomplete", "failed"]


class ModelState(BaseModel):
    """Where one model's audit stands."""

    status: AuditStatus = "pending"
    fingerprint: str = Field(default="", description="the campaign entry it was audited from")
    message: str = Field(default="", description="why it is incomplete or failed")
    passport: str | None = Field(default=None, description="passport path, relative to OUT")
    runs: int = Field(default=0, description="how many times an audit of it was started")


class CampaignState(BaseModel):
    """Every model's state, by folder name."""

    format: str = STATE_FORMAT
    models: dict[str, ModelState] = Field(default_factory=dict)


def read_state(path: Path) -> CampaignState:
    """The saved state, or an empty one when the campaign has not run in this folder."""
    if not path.exists():
        return CampaignState()
    try:
        state = CampaignState.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        raise InputError(
            path,
            f"expected a campaign state file ({exc.__class__.__name__}); remove it or use --fresh",
        ) from None
    if state.format != STATE_FORMAT:
        raise InputError(path, f"expected format {STATE_FORMAT}, got {state.format}")
    return state


def write_state(state: CampaignState, path: Path) -> None:
    """Replace the state file atomically (rename over it after an fsync)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    data = json.dumps(state.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
