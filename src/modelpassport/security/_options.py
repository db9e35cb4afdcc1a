"""The security stage's ``--option security.KEY=VALUE`` settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from modelpassport.stages import SampledOptions

ToolMode = Literal["auto", "native", "text"]
DEFAULT_MAX_TOKENS = 64


class SecurityOptions(SampledOptions):
    """What the stage asks and how."""

    suite: Path | None = Field(
        default=None, description="a security suite JSONL (default: bundled)"
    )
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS, ge=8, description="answer length cap")
    max_steps: int = Field(
        default=4, ge=1, le=12, description="agent episodes: tool-call rounds at most"
    )
    tools: ToolMode = Field(
        default="auto",
        description="native tool calling, the ReAct text protocol, or auto (native for "
        "OpenAI-compatible and Anthropic endpoints)",
    )
    families: str = Field(
        default="",
        description="comma-separated families to run (default all): jailbreak, extraction, "
        "injection, agent, over_refusal",
    )
    behaviours: Path | None = Field(
        default=None,
        description="opt-in: your own harmful-behaviour file (JailbreakBench/HarmBench CSV or "
        "JSON), scored by judge=REF; only hashes are kept",
    )
    judge: str | None = Field(default=None, description="REF of the judge for behaviours=")

    @model_validator(mode="after")
    def _consistent(self) -> SecurityOptions:
        if (self.behaviours is None) != (self.judge is None):
            raise ValueError("security.behaviours=FILE together with security.judge=REF")
        known = {"jailbreak", "extraction", "injection", "agent", "over_refusal"}
        unknown = set(self.family_list) - known
        if unknown:
            raise ValueError(f"security.families: {sorted(unknown)[0]!r} is not a family")
        return self

    @property
    def family_list(self) -> tuple[str, ...]:
        """The families asked for (empty: all)."""
        return tuple(f.strip() for f in self.families.split(",") if f.strip())
