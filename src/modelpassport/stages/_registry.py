"""Which class implements each stage, imported only when the stage runs."""

from __future__ import annotations

import importlib
from typing import cast

from modelpassport.passport import StageName

from ._contract import Stage

# "module:Class" per stage; None where this version has no implementation yet, so the
# passport says so instead of pretending the stage ran.
STAGE_CLASSES: dict[StageName, str | None] = {
    "identity": "modelpassport.identity:IdentityStage",
    "scan": "modelpassport.scan:ScanStage",
    "narratives": "modelpassport.narratives:NarrativesStage",
    "security": None,
    "capability": None,
    "bench": "modelpassport.bench:BenchStage",
}

DEFAULT_STAGES: tuple[StageName, ...] = ("identity", "scan", "narratives", "bench")


def load_stage(name: StageName) -> Stage | None:
    """Instantiate the stage called ``name``, or None if this version has none."""
    path = STAGE_CLASSES[name]
    if path is None:
        return None
    module_name, _, class_name = path.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cast(Stage, cls())
