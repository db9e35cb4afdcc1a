"""The narratives stage's ``--option narratives.KEY=VALUE`` settings, validated in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelpassport.errors import InputError

TierName = Literal["lexical", "local", "judge"]
_TIERS: dict[str, TierName] = {"lexical": "lexical", "local": "local", "judge": "judge"}
_KEYS = ("suite", "samples", "temperature", "max_tokens", "scorer", "judge", "judge_max_tokens")
DEFAULT_MAX_TOKENS = 200
DEFAULT_SAMPLED_TEMPERATURE = 0.7


@dataclass(frozen=True)
class NarrativeOptions:
    """What the stage asks and how it scores."""

    suite: Path | None
    samples: int
    temperature: float
    max_tokens: int
    scorer: TierName
    judge: str | None
    judge_max_tokens: int


def _number(
    raw: Mapping[str, str], key: str, kind: type[int] | type[float], default: float, low: float
) -> float:
    text = raw.get(key)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise InputError(
            f"--option narratives.{key}",
            f"expected {'an integer' if kind is int else 'a number'}, got {text!r}",
        ) from None
    if value < low:
        raise InputError(f"--option narratives.{key}", f"expected at least {low:g}, got {text}")
    return value


def parse_options(raw: Mapping[str, str]) -> NarrativeOptions:
    """Validate the stage's settings; an unknown key or bad value is one clear line."""
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise InputError(f"--option narratives.{unknown[0]}", f"expected one of {', '.join(_KEYS)}")
    samples = int(_number(raw, "samples", int, 1, 1))
    default_temperature = DEFAULT_SAMPLED_TEMPERATURE if samples > 1 else 0.0
    temperature = _number(raw, "temperature", float, default_temperature, 0.0)
    if samples > 1 and temperature == 0.0:
        raise InputError(
            "--option narratives.temperature",
            "expected a temperature above 0 with samples > 1 (else every sample "
            "is the same answer)",
        )
    judge = raw.get("judge") or None
    named = raw.get("scorer", "judge" if judge else "lexical")
    scorer = _TIERS.get(named)
    if scorer is None:
        raise InputError(
            "--option narratives.scorer", f"expected lexical, local or judge, got {named!r}"
        )
    if scorer == "judge" and judge is None:
        raise InputError(
            "--option narratives.scorer", "expected narratives.judge=REF with the judge scorer"
        )
    suite = raw.get("suite")
    return NarrativeOptions(
        suite=Path(suite) if suite else None,
        samples=samples,
        temperature=temperature,
        max_tokens=int(_number(raw, "max_tokens", int, DEFAULT_MAX_TOKENS, 1)),
        scorer=scorer,
        judge=judge,
        judge_max_tokens=int(_number(raw, "judge_max_tokens", int, 256, 1)),
    )
