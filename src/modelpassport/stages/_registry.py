"""Which class implements each stage, imported only when the stage runs.

The registry is the passport's ``Findings`` model: one field per stage, whose section class
names its stage (``Section.stage_class``). Nothing here needs editing when a stage is added.
"""

from __future__ import annotations

import importlib
from typing import cast

from modelpassport.passport import STAGE_NAMES, StageName, section_class

from ._contract import Stage

# Every implemented stage runs by default; each keeps its default sample small enough that the
# no-argument audit of the bundled model stays within minutes on two cores.
DEFAULT_STAGES: tuple[StageName, ...] = tuple(
    name for name in STAGE_NAMES if section_class(name).stage_class is not None
)


def load_stage(name: StageName) -> Stage | None:
    """Instantiate the stage called ``name``, or None if this version has none."""
    path = section_class(name).stage_class
    if path is None:
        return None
    module_name, _, class_name = path.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cast(Stage, cls())
