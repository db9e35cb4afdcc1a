"""The narratives stage: behaviour on politically sensitive topics, EN + ZH, with controls."""

from ._stage import NarrativesStage

__all__ = ["NarrativesStage"]
