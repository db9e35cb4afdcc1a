"""The stage names: a dependency-free module, so the command line can show them in its help
without importing the passport schema."""

from __future__ import annotations

from typing import Literal

StageName = Literal["identity", "scan", "narratives", "security", "capability", "bench"]
STAGE_NAMES: tuple[StageName, ...] = (
    "identity",
    "scan",
    "narratives",
    "security",
    "capability",
    "bench",
)
