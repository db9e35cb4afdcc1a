"""The narratives stage's ``--option narratives.KEY=VALUE`` settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from modelpassport.stages import StageOptions

TierName = Literal["lexical", "local", "judge"]
DEFAULT_MAX_TOKENS = 200
DEFAULT_SAMPLED_TEMPERATURE = 0.7


class NarrativeOptions(StageOptions):
    """What the stage asks and how it scores."""

    suite: Path | None = Field(default=None, description="a suite JSONL file (default: bundled)")
    samples: int = Field(default=1, ge=1, le=100, description="answers asked per item")
    temperature: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description=f"sampling temperature (default 0, or {DEFAULT_SAMPLED_TEMPERATURE} "
        "with samples > 1)",
    )
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS, ge=1, description="answer length cap")
    scorer: TierName = Field(
        default="lexical", description="lexical, local or judge (default judge when judge= set)"
    )
    judge: str | None = Field(default=None, description="REF of the target used as LLM judge")
    judge_max_tokens: int = Field(default=256, ge=1, description="judge answer length cap")

    @model_validator(mode="before")
    @classmethod
    def _defaults_that_depend_on_others(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if not data.get("judge"):
            data.pop("judge", None)
        data.setdefault("scorer", "judge" if data.get("judge") else "lexical")
        try:
            sampled = int(data.get("samples", 1)) > 1
        except (TypeError, ValueError):
            sampled = False
        data.setdefault("temperature", DEFAULT_SAMPLED_TEMPERATURE if sampled else 0.0)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> NarrativeOptions:
        if self.samples > 1 and self.temperature == 0.0:
            raise ValueError(
                "narratives.temperature above 0 with narratives.samples > 1 (else every "
                "sample is the same answer)"
            )
        if self.scorer == "judge" and self.judge is None:
            raise ValueError("narratives.judge=REF with the judge scorer")
        return self
