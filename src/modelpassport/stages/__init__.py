"""The stage contract, stage settings and the registry of stages."""

from ._ask import ask
from ._contract import AuditOptions, Needs, NullProgress, ProgressSink, Stage, StageContext
from ._options import SampledOptions, StageOptions, describe_options, parse_stage_options
from ._registry import DEFAULT_STAGES, load_stage

__all__ = [
    "DEFAULT_STAGES",
    "AuditOptions",
    "Needs",
    "NullProgress",
    "ProgressSink",
    "SampledOptions",
    "Stage",
    "StageContext",
    "StageOptions",
    "ask",
    "describe_options",
    "load_stage",
    "parse_stage_options",
]
