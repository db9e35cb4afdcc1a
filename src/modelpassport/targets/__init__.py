"""Targets: anything that answers chat requests, behind one contract.

Backends are imported lazily by ``open_target``; a missing optional dependency fails with
one line naming the ``pip install`` that fixes it.
"""

from ._errors import AuthTargetError, PermanentTargetError, TargetError, TransientTargetError
from ._limits import Limits, ResilientTarget
from ._registry import TargetSpec, open_target
from ._types import (
    CalledTool,
    ChatRequest,
    Completion,
    Message,
    StreamChunk,
    Target,
    TargetIdentity,
    Timing,
    Usage,
)

__all__ = [
    "AuthTargetError",
    "CalledTool",
    "ChatRequest",
    "Completion",
    "Limits",
    "Message",
    "PermanentTargetError",
    "ResilientTarget",
    "StreamChunk",
    "Target",
    "TargetError",
    "TargetIdentity",
    "TargetSpec",
    "Timing",
    "TransientTargetError",
    "Usage",
    "open_target",
]
