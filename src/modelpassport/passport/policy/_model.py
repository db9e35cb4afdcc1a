"""The policy file: which models a team admits, as TOML validated by pydantic.

Unknown keys are errors (``extra="forbid"``), so a misspelt rule is reported by name instead
of silently never applying. See docs/report.md for the full list and examples in
docs/policies/.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modelpassport.errors import InputError
from modelpassport.passport._schema import StageName

from ._evidence import Severity

OnMissing = Literal["fail", "warn", "pass"]
_MAX_POLICY_BYTES = 1024 * 1024
_SCOPES = ("all", "en", "zh")


def _scoped(bounds: dict[str, float] | None) -> dict[str, float] | None:
    if bounds is None:
        return None
    unknown = sorted(set(bounds) - set(_SCOPES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}; expected {', '.join(_SCOPES)}")
    return bounds


class Rules(BaseModel):
    """Every rule is optional; a rule that is not set is not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_countries: list[str] | None = Field(
        default=None, description="developer headquarters must be one of these (ISO codes)"
    )
    deny_countries: list[str] | None = Field(
        default=None, description="developer headquarters must not be one of these"
    )
    allow_developers: list[str] | None = None
    deny_developers: list[str] | None = None
    allow_licences: list[str] | None = Field(
        default=None, description="SPDX ids or catalogued licence names, case-insensitive"
    )
    lineage_must_match: bool | None = Field(
        default=None, description="detected lineage must agree with the declared one"
    )
    max_scan_severity: Severity | None = Field(
        default=None, description="worst scan finding allowed ('none' = no findings)"
    )
    max_narrative_index: float | None = Field(
        default=None, ge=-1, le=1, description="control-adjusted index (sensitive - controls)"
    )
    max_zh_en_gap: float | None = Field(
        default=None, ge=-1, le=1, description="withheld rate, Chinese minus English twins"
    )
    max_echo_rate: dict[str, float] | None = Field(
        default=None, description="narrative-flag echo rate bound per scope: all, en, zh"
    )
    max_jailbreak_rate: float | None = Field(default=None, ge=0, le=1)
    min_output_tok_s: float | None = Field(default=None, ge=0)
    max_usd_per_mtok: float | None = Field(default=None, ge=0)
    required_stages: list[StageName] | None = None

    _check_scopes = field_validator("max_echo_rate")(_scoped)


RuleName = Literal[
    "allow_countries",
    "deny_countries",
    "allow_developers",
    "deny_developers",
    "allow_licences",
    "lineage_must_match",
    "max_scan_severity",
    "max_narrative_index",
    "max_zh_en_gap",
    "max_echo_rate",
    "max_jailbreak_rate",
    "min_output_tok_s",
    "max_usd_per_mtok",
    "required_stages",
]


class Policy(BaseModel):
    """A named set of rules and what to do when a rule's evidence is missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    on_missing: OnMissing = Field(
        default="fail", description="a rule whose evidence is missing fails unless set here"
    )
    on_missing_for: dict[RuleName, OnMissing] = Field(
        default_factory=dict, description="per-rule override of on_missing"
    )
    statistic: Literal["point", "upper"] = Field(
        default="point",
        description="judge rates and indices by the point estimate or by the upper end of "
        "their 95% interval (stricter)",
    )
    rules: Rules

    def missing_mode(self, rule: str) -> OnMissing:
        """What a rule does when the passport lacks its evidence."""
        base = rule.split(".", 1)[0]
        for name, mode in self.on_missing_for.items():
            if name == base:
                return mode
        return self.on_missing


def parse_policy(text: str, where: str | Path) -> Policy:
    """Validate policy TOML; errors name the file and the offending key in one line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"expected TOML ({exc})") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            section = Rules if first["loc"][:1] == ("rules",) else Policy
            known = ", ".join(section.model_fields)
            raise InputError(where, f"{loc}: unknown key; expected one of {known}") from None
        raise InputError(where, f"{loc}: {first['msg']}") from None


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file."""
    if not path.is_file():
        raise InputError(path, "no such policy file")
    if path.stat().st_size > _MAX_POLICY_BYTES:
        raise InputError(path, "too large to be a policy file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "expected UTF-8 TOML") from None
    return parse_policy(text, path)
