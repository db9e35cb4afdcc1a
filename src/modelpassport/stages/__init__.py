"""The stage contract and the registry of stages."""

from ._ask import ask
from ._contract import AuditOptions, Needs, NullProgress, ProgressSink, Stage, StageContext
from ._registry import DEFAULT_STAGES, STAGE_CLASSES, load_stage

__all__ = [
    "DEFAULT_STAGES",
    "STAGE_CLASSES",
    "AuditOptions",
    "Needs",
    "NullProgress",
    "ProgressSink",
    "Stage",
    "StageContext",
    "ask",
    "load_stage",
]
