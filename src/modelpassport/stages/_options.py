"""Stage settings: one pydantic model per stage, read from ``--option STAGE.KEY=VALUE``.

Every stage validates its settings the same way, before any model is loaded or request sent,
and ``modelpassport options`` lists them all from the same models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from modelpassport.errors import InputError

OptionsT = TypeVar("OptionsT", bound="StageOptions")


class StageOptions(BaseModel):
    """Base of every stage's settings: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


DEFAULT_SAMPLED_TEMPERATURE = 0.7


class SampledOptions(StageOptions):
    """Settings of a stage that may ask each item several times: with more than one sample
    the temperature defaults above 0, and 0 is refused (every sample would be the same)."""

    samples: int = Field(
        default=1, ge=1, le=100, description="answers per item (> 1 also reports best-of-K)"
    )
    temperature: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description=f"sampling temperature (default 0, or {DEFAULT_SAMPLED_TEMPERATURE} "
        "with samples > 1)",
    )

    @model_validator(mode="before")
    @classmethod
    def _sampled_temperature(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        try:
            sampled = int(data.get("samples", 1)) > 1
        except (TypeError, ValueError):
            sampled = False
        data.setdefault("temperature", DEFAULT_SAMPLED_TEMPERATURE if sampled else 0.0)
        return data

    @model_validator(mode="after")
    def _samples_differ(self) -> SampledOptions:
        if self.samples > 1 and self.temperature == 0.0:
            raise ValueError(
                "temperature above 0 with samples > 1 (else every sample is the same answer)"
            )
        return self


def parse_stage_options(stage: str, cls: type[OptionsT], raw: Mapping[str, str]) -> OptionsT:
    """Validate ``--option`` strings for one stage; a bad one names the option and the fix."""
    unknown = sorted(set(raw) - set(cls.model_fields))
    if unknown:
        raise InputError(
            f"--option {stage}.{unknown[0]}",
            f"expected one of {', '.join(f'{stage}.{k}' for k in cls.model_fields) or '(none)'}",
        )
    try:
        return cls.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        where = f"--option {stage}.{key}={raw.get(key, '')}" if key else f"--option {stage}"
        message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
        raise InputError(where, f"expected {message}") from None


def describe_options(cls: type[StageOptions]) -> list[dict[str, Any]]:
    """Each setting's key, type, default and help, for ``modelpassport options``."""
    rows = []
    for key, field in cls.model_fields.items():
        annotation = field.annotation
        kind = str(annotation).replace("typing.", "").replace("pathlib.", "")
        if isinstance(annotation, type):
            kind = annotation.__name__
        default = None if field.is_required() else field.get_default(call_default_factory=True)
        rows.append(
            {
                "key": key,
                "type": kind,
                "default": default,
                "help": field.description or "",
            }
        )
    return rows
