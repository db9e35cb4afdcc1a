"""The policy file: which models a team admits, as TOML validated by pydantic.

Rules are generic over headline facts (``[facts."narratives.echo_rate.zh"] max = 0.05``); the
named rules under ``[rules]`` are documented aliases for the common ones, so policies written
before facts existed keep working. Unknown keys, unknown fact ids, country codes that are not
ISO 3166-1 alpha-2 and licences that are neither SPDX nor catalogued are errors, so a
misspelt rule is reported by name instead of silently never applying. See docs/report.md.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modelpassport.errors import InputError
from modelpassport.passport import STAGE_NAMES, FactSpec, fact_specs

from ._vocab import country_problem, fact_problem, licence_problem

OnMissing = Literal["fail", "warn", "pass"]
Statistic = Literal["point", "interval"]
_MAX_POLICY_BYTES = 1024 * 1024
_SCOPES = ("all", "en", "zh")
# The worst scan finding a rule may allow, best to worst (as the scan.worst_severity fact).
ScanSeverityCap = Literal["none", "info", "low", "medium", "high", "critical"]


def _scoped(bounds: dict[str, float] | None) -> dict[str, float] | None:
    if bounds is None:
        return None
    unknown = sorted(set(bounds) - set(_SCOPES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}; expected {', '.join(_SCOPES)}")
    return bounds


def _countries(codes: list[str] | None) -> list[str] | None:
    for code in codes or []:
        problem = country_problem(code)
        if problem:
            raise ValueError(problem)
    return codes


def _licences(names: list[str] | None) -> list[str] | None:
    for name in names or []:
        problem = licence_problem(name)
        if problem:
            raise ValueError(problem)
    return names


def _stages(names: list[str] | None) -> list[str] | None:
    for name in names or []:
        if name not in STAGE_NAMES:
            raise ValueError(f"unknown stage {name!r}; expected one of {', '.join(STAGE_NAMES)}")
    return names


class Rules(BaseModel):
    """Named rules, each an alias for a rule on one fact; a rule that is not set is not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_countries: list[str] | None = Field(
        default=None, description="identity.country must be one of these ISO 3166-1 alpha-2 codes"
    )
    deny_countries: list[str] | None = Field(
        default=None, description="identity.country must not be one of these"
    )
    allow_developers: list[str] | None = Field(default=None, description="identity.developer")
    deny_developers: list[str] | None = Field(default=None, description="identity.developer")
    allow_licences: list[str] | None = Field(
        default=None, description="identity.licence: SPDX ids or catalogued licence names"
    )
    lineage_must_match: bool | None = Field(
        default=None, description="identity.lineage_matches must be true"
    )
    max_scan_severity: ScanSeverityCap | None = Field(
        default=None, description="scan.worst_severity at most this ('none' = no findings)"
    )
    max_narrative_index: float | None = Field(
        default=None, ge=-1, le=1, description="narratives.index at most this"
    )
    max_zh_en_gap: float | None = Field(
        default=None, ge=-1, le=1, description="narratives.zh_en_gap at most this"
    )
    max_echo_rate: dict[str, float] | None = Field(
        default=None, description="narratives.echo_rate[.en|.zh] per scope: all, en, zh"
    )
    max_jailbreak_rate: float | None = Field(
        default=None, ge=0, le=1, description="security.jailbreak_rate at most this"
    )
    min_output_tok_s: float | None = Field(
        default=None, ge=0, description="bench.output_tokens_per_s at least this"
    )
    max_usd_per_mtok: float | None = Field(
        default=None, ge=0, description="bench.usd_per_mtok at most this"
    )
    required_stages: list[str] | None = Field(
        default=None, description="each named stage's STAGE.status must be ok"
    )

    _check_scopes = field_validator("max_echo_rate")(_scoped)
    _check_countries = field_validator("allow_countries", "deny_countries")(_countries)
    _check_licences = field_validator("allow_licences")(_licences)
    _check_stages = field_validator("required_stages")(_stages)


class FactRule(BaseModel):
    """A rule on one fact: bounds on its value (or an interval end), or allowed values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max: float | str | None = Field(
        default=None, description="at most this (a number, or a value of an ordinal category)"
    )
    min: float | str | None = Field(default=None, description="at least this")
    allow: list[str] | None = Field(default=None, description="one of these (categories)")
    deny: list[str] | None = Field(default=None, description="none of these (categories)")
    equals: bool | str | None = Field(default=None, description="exactly this (flags, labels)")
    statistic: Statistic | None = Field(
        default=None, description="point, or interval: judge by the interval end worse for you"
    )
    on_missing: OnMissing | None = None

    def problem(self, spec: FactSpec) -> str | None:
        """Why this rule cannot apply to the fact it names, or None."""
        if all(v is None for v in (self.max, self.min, self.allow, self.deny, self.equals)):
            return "sets no condition; expected max, min, allow, deny or equals"
        ordered = spec.kind in ("rate", "estimate", "number") or bool(spec.order)
        for bound in (self.max, self.min):
            if bound is None:
                continue
            if not ordered:
                return f"max/min need a numeric or ordinal fact; {spec.id} is a {spec.kind}"
            if spec.order and bound not in spec.order:
                return f"expected one of {', '.join(spec.order)} as a bound, got {bound!r}"
            if not spec.order and isinstance(bound, str):
                return f"expected a number as a bound, got {bound!r}"
        if (self.allow is not None or self.deny is not None) and spec.kind != "category":
            return f"allow/deny need a category fact; {spec.id} is a {spec.kind}"
        if self.equals is not None and spec.kind not in ("flag", "category"):
            return f"equals needs a flag or category fact; {spec.id} is a {spec.kind}"
        if spec.id == "identity.country":
            for code in (self.allow or []) + (self.deny or []):
                if problem := country_problem(code):
                    return problem
        if spec.id == "identity.licence":
            for name in (self.allow or []) + (self.deny or []):
                if problem := licence_problem(name):
                    return problem
        return None


class Policy(BaseModel):
    """A named set of rules and what to do when a rule's evidence is missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    on_missing: OnMissing = Field(
        default="fail", description="a rule whose evidence is missing fails unless set here"
    )
    on_missing_for: dict[str, OnMissing] = Field(
        default_factory=dict, description="per-rule override of on_missing (rule name or fact id)"
    )
    statistic: Literal["point", "upper", "interval"] = Field(
        default="point",
        description="judge rates and indices by the point estimate, or by the end of their 95% "
        "interval that is worse for the subject ('interval'; 'upper' is its older name)",
    )
    rules: Rules = Field(default_factory=Rules)
    facts: dict[str, FactRule] = Field(
        default_factory=dict, description="rules on any fact, by fact id"
    )

    def missing_mode(self, rule: str) -> OnMissing:
        """What a rule does when the passport lacks its evidence."""
        base = rule.split(".", 1)[0]
        if rule in self.on_missing_for:
            return self.on_missing_for[rule]
        if base in self.on_missing_for and base in Rules.model_fields:
            return self.on_missing_for[base]
        return self.on_missing

    def strict(self, rule: FactRule | None = None) -> bool:
        """Whether bounds are judged on the interval end worse for the subject."""
        chosen = rule.statistic if rule is not None and rule.statistic else self.statistic
        return chosen in ("upper", "interval")


def _check_references(policy: Policy, where: str | Path) -> None:
    specs = fact_specs()
    known = sorted(specs)
    for fact_id, rule in policy.facts.items():
        if fact_id not in specs:
            raise InputError(where, f"facts.{fact_id}: {fact_problem(fact_id, known)}")
        problem = rule.problem(specs[fact_id])
        if problem:
            raise InputError(where, f"facts.{fact_id}: {problem}")
    for name in policy.on_missing_for:
        if name not in Rules.model_fields and name not in specs:
            raise InputError(
                where,
                f"on_missing_for.{name}: expected a rule name ({', '.join(Rules.model_fields)}) "
                "or a fact id",
            )


def parse_policy(text: str, where: str | Path) -> Policy:
    """Validate policy TOML; errors name the file and the offending key in one line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"expected TOML ({exc})") from None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            top = str(first["loc"][0]) if first["loc"] else ""
            fields = {"rules": Rules.model_fields, "facts": FactRule.model_fields}.get(
                top, Policy.model_fields
            )
            known = ", ".join(fields)
            raise InputError(where, f"{loc}: unknown key; expected one of {known}") from None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(where, f"{loc}: {message}") from None
    _check_references(policy, where)
    return policy


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
