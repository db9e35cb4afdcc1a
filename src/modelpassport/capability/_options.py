"""The capability stage's ``--option capability.KEY=VALUE`` settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from modelpassport.catalog import load_machines
from modelpassport.stages import StageOptions

from ._task import PACKS, Pack

# With no --sample (an explicit REF) the whole suite is asked; the no-REF demo passes 60.
DEFAULT_LENGTHS = (256, 1024, 4096)


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class CapabilityOptions(StageOptions):
    """Which packs run, how big they are, what counts as ready, and what a machine costs."""

    packs: tuple[Pack, ...] = Field(
        default=PACKS, description=f"packs to run, comma-separated ({', '.join(PACKS)})"
    )
    size: int = Field(
        default=10, ge=1, le=1000, description="generated twin pairs per tier or template"
    )
    humaneval: bool = Field(default=True, description="include HumanEval's 164 problems")
    lengths: tuple[int, ...] = Field(
        default=DEFAULT_LENGTHS, description="long-context prompt lengths (approx. tokens)"
    )
    declared_context: int | None = Field(
        default=None, ge=1, description="the context length the model declares, in tokens"
    )
    threshold: float = Field(
        default=0.8, gt=0, le=1, description="accuracy a vertical (or a length) must clear"
    )
    usd_per_hour: float | None = Field(
        default=None, gt=0, description="what the serving machine costs per hour"
    )
    gpu: str | None = Field(default=None, description="a row of catalog/data/gpu_prices.toml")
    external: tuple[Path, ...] = Field(
        default=(),
        description="results of other harnesses to show alongside (lm-evaluation-harness "
        "results.json or samples_*.jsonl, Inspect .eval), comma-separated; never scored",
    )
    max_tokens_scale: float = Field(
        default=1.0, gt=0, le=16, description="multiply every item's answer cap (reasoning models)"
    )

    @field_validator("packs", "lengths", "external", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("packs")
    @classmethod
    def _some_pack(cls, value: tuple[Pack, ...]) -> tuple[Pack, ...]:
        if not value:
            raise ValueError("at least one pack")
        return tuple(p for p in PACKS if p in value)

    @field_validator("gpu")
    @classmethod
    def _known_machine(cls, value: str | None) -> str | None:
        known = {m.id for m in load_machines()}
        if value is not None and value not in known:
            raise ValueError(f"one of {', '.join(sorted(known))}")
        return value

    @field_validator("lengths")
    @classmethod
    def _positive_lengths(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(n < 64 for n in value):
            raise ValueError("one or more prompt lengths of at least 64 tokens")
        return tuple(sorted(set(value)))
