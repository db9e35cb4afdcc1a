"""The narratives stage's ``--option narratives.KEY=VALUE`` settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from modelpassport.stages import SampledOptions

TierName = Literal["lexical", "local", "judge"]
DEFAULT_MAX_TOKENS = 200


class NarrativeOptions(SampledOptions):
    """What the stage asks and how it scores."""

    suite: Path | None = Field(default=None, description="a suite JSONL file (default: bundled)")
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
        return data

    @model_validator(mode="after")
    def _consistent(self) -> NarrativeOptions:
        if self.scorer == "judge" and self.judge is None:
            raise ValueError("narratives.judge=REF with the judge scorer")
        return self
