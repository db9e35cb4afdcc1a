"""The security stage: robustness to jailbreaks, extraction, prompt injection and agent
hijacking, EN + ZH, harmless by construction and checked deterministically."""

from ._checks import Episode, ToolCall, canary_form, evaluate, fold, is_refusal, language_of
from ._items import (
    Check,
    SecurityItem,
    SecuritySuite,
    ToolSpec,
    bundled_security_suite,
    canary,
    load_security_suite,
)
from ._options import SecurityOptions
from ._stage import SecurityStage

__all__ = [
    "Check",
    "Episode",
    "SecurityItem",
    "SecurityOptions",
    "SecurityStage",
    "SecuritySuite",
    "ToolCall",
    "ToolSpec",
    "bundled_security_suite",
    "canary",
    "canary_form",
    "evaluate",
    "fold",
    "is_refusal",
    "language_of",
    "load_security_suite",
]
