"""The capability stage: code-checked task packs (instruction following, math, sandboxed
code, tool calling, long context, translation, finance/health/law) and cost per quality."""

from ._stage import CapabilityStage

__all__ = ["CapabilityStage"]
