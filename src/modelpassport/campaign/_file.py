"""The campaign file: which models to audit, how, against which policy and reference passports.

TOML validated by pydantic. Unknown keys are errors, relative paths are read from the campaign
file's folder, every REF and every stage setting is checked before any model is loaded or any
request is sent, and every error is one line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modelpassport.api import serving_lane
from modelpassport.errors import InputError, ModelPassportError
from modelpassport.passport import STAGE_NAMES, StageName
from modelpassport.stages import DEFAULT_STAGES, load_stage, parse_stage_options

_MAX_FILE_BYTES = 1024 * 1024
OptionValue = str | int | float | bool | list[str | int | float]


def _stage_list(names: list[str] | None) -> list[str] | None:
    for name in names or []:
        if name not in STAGE_NAMES:
            raise ValueError(f"unknown stage {name!r}; expected one of {', '.join(STAGE_NAMES)}")
    if names is not None and not names:
        raise ValueError("expected at least one stage")
    return names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Price(_Strict):
    """What the buyer pays, when it is not (or not only) the catalog's list price."""

    usd_per_mtok_in: float | None = Field(default=None, ge=0, description="$ per Mtok input")
    usd_per_mtok_out: float | None = Field(default=None, ge=0, description="$ per Mtok output")
    usd_per_hour: float | None = Field(
        default=None, gt=0, description="self-hosted: what the serving machine costs per hour"
    )
    source: str = Field(default="campaign file", description="where the price comes from")

    @property
    def blended(self) -> float | None:
        """The 3:1 input:output blend, as the bench stage blends list prices."""
        if self.usd_per_mtok_in is None or self.usd_per_mtok_out is None:
            return None
        return (3 * self.usd_per_mtok_in + self.usd_per_mtok_out) / 4


class ModelEntry(_Strict):
    """One model to audit."""

    name: str = Field(min_length=1, max_length=120, description="display name in the table")
    ref: str = Field(min_length=1, description="REF as for modelpassport audit")
    files: Path | None = Field(default=None, description="served weights for an endpoint REF")
    stages: list[str] | None = None
    sample: int | None = Field(default=None, ge=1)
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    rps: float | None = Field(default=None, gt=0)
    timeout_s: float | None = Field(default=None, gt=0)
    price: Price | None = None
    options: dict[str, dict[str, OptionValue]] = Field(default_factory=dict)

    _stages = field_validator("stages")(_stage_list)


class ReferenceEntry(_Strict):
    """A passport produced elsewhere, shown beside the campaign's own audits."""

    name: str = Field(min_length=1, max_length=120)
    passport: Path
    signature: Path | None = None
    key: str | None = Field(default=None, description="a name under [trusted_keys]")
    price: Price | None = None


class Campaign(_Strict):
    """The whole campaign file."""

    title: str = "Model campaign"
    stages: list[str] | None = None
    sample: int | None = Field(default=None, ge=1)
    seed: int = 0
    concurrency: int = Field(default=4, ge=1, le=1024, description="requests in flight per model")
    rps: float | None = Field(default=None, gt=0, description="requests per second per model")
    timeout_s: float = Field(default=120.0, gt=0)
    parallel: int = Field(default=4, ge=1, le=64, description="audits at once (distinct lanes)")
    policy: Path | None = None
    options: dict[str, dict[str, OptionValue]] = Field(default_factory=dict)
    models: list[ModelEntry] = Field(default_factory=list)
    references: list[ReferenceEntry] = Field(default_factory=list)
    trusted_keys: dict[str, Path] = Field(default_factory=dict)
    # Where the file was read from; relative paths above were resolved against its folder.
    source: Path = Field(default=Path("campaign.toml"), exclude=True)

    _stages = field_validator("stages")(_stage_list)

    def stages_for(self, model: ModelEntry) -> tuple[StageName, ...]:
        """The model's stages, else the campaign's, else the default set."""
        return tuple(model.stages or self.stages or DEFAULT_STAGES)

    def options_for(self, model: ModelEntry) -> dict[str, dict[str, str]]:
        """Stage settings as ``--option`` strings: the campaign's, overridden by the model's."""
        merged: dict[str, dict[str, str]] = {}
        for layer in (self.options, model.options):
            for stage, settings in layer.items():
                merged.setdefault(stage, {}).update(
                    {key: _option_text(value) for key, value in settings.items()}
                )
        if model.price is not None and model.price.usd_per_hour is not None:
            merged.setdefault("bench", {}).setdefault("usd_per_hour", str(model.price.usd_per_hour))
        stages = self.stages_for(model)
        return {stage: opts for stage, opts in merged.items() if stage in stages}

    def fingerprint(self, model: ModelEntry) -> str:
        """sha256 of everything that shapes the model's audit: a changed entry is audited again
        (its journal still answers what was asked before)."""
        config = {
            "ref": model.ref,
            "files": str(model.files) if model.files else None,
            "stages": list(self.stages_for(model)),
            "sample": model.sample or self.sample,
            "seed": self.seed,
            "options": self.options_for(model),
        }
        return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _option_text(value: OptionValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def slug(name: str) -> str:
    """A folder name for a model's outputs."""
    return _SLUG.sub("_", name).strip("_.")[:60] or "model"


def _resolve_paths(campaign: Campaign, base: Path, where: Path) -> Campaign:
    def at(path: Path) -> Path:
        return path if path.is_absolute() else base / path

    models = [
        m.model_copy(update={"files": at(m.files) if m.files else None}) for m in campaign.models
    ]
    refs = [
        r.model_copy(
            update={
                "passport": at(r.passport),
                "signature": at(r.signature) if r.signature else None,
            }
        )
        for r in campaign.references
    ]
    keys = {name: at(path) for name, path in campaign.trusted_keys.items()}
    return campaign.model_copy(
        update={
            "models": models,
            "references": refs,
            "trusted_keys": keys,
            "policy": at(campaign.policy) if campaign.policy else None,
            "source": where,
        }
    )


def _check(campaign: Campaign, where: Path) -> None:
    """Cross-field checks: unique names, usable REFs, known stage settings, named keys."""
    if not campaign.models and not campaign.references:
        raise InputError(where, "models: expected at least one [[models]] or [[references]] entry")
    for stage in campaign.options:
        if stage not in STAGE_NAMES:
            raise InputError(
                where, f"options.{stage}: unknown stage; expected one of {', '.join(STAGE_NAMES)}"
            )
    seen: dict[str, str] = {}
    entries = [(f"models[{i}]", m.name) for i, m in enumerate(campaign.models)] + [
        (f"references[{i}]", r.name) for i, r in enumerate(campaign.references)
    ]
    for key, name in entries:
        folder = slug(name)
        if folder in seen:
            raise InputError(where, f"{key}.name: {name!r} clashes with {seen[folder]}")
        seen[folder] = f"{key} ({name!r})"
    for i, model in enumerate(campaign.models):
        key = f"models[{i}]"
        try:
            serving_lane(model.ref, files=model.files)
        except ModelPassportError as exc:
            raise InputError(where, f"{key}.ref: {exc}") from None
        for stage, settings in campaign.options_for(model).items():
            runner = load_stage(stage)
            if runner is None:
                raise InputError(where, f"{key} options.{stage}: stage not implemented")
            try:
                parse_stage_options(stage, runner.options_model, settings)
            except ModelPassportError as exc:
                raise InputError(where, f"{key} options.{stage}: {exc}") from None
        unplanned = sorted(set(model.options) - set(campaign.stages_for(model)))
        if unplanned:
            raise InputError(
                where, f"{key}.options.{unplanned[0]}: stage not in this model's stages"
            )
    for i, ref in enumerate(campaign.references):
        key = f"references[{i}]"
        if not ref.passport.is_file():
            raise InputError(where, f"{key}.passport: no such file {ref.passport}")
        if ref.signature is not None and ref.key is None:
            raise InputError(
                where, f"{key}.key: a signed reference needs a key from [trusted_keys]"
            )
        if ref.key is not None and ref.key not in campaign.trusted_keys:
            known = ", ".join(campaign.trusted_keys) or "none"
            raise InputError(where, f"{key}.key: {ref.key!r} is not under [trusted_keys] ({known})")
        if ref.key is not None and ref.signature is None:
            raise InputError(where, f"{key}.signature: a key was named but no signature file")
    for name, path in campaign.trusted_keys.items():
        if not path.is_file():
            raise InputError(where, f"trusted_keys.{name}: no such key file {path}")
    if campaign.policy is not None and not campaign.policy.is_file():
        raise InputError(where, f"policy: no such policy file {campaign.policy}")


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
    loc = loc.lstrip(".") or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{loc}: unknown key"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}"


def parse_campaign(text: str, where: Path) -> Campaign:
    """Validate campaign TOML read from ``where`` (relative paths are taken from its folder)."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"expected TOML ({exc})") from None
    if "source" in data:
        raise InputError(where, "source: unknown key")
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as exc:
        raise InputError(where, _first_error(exc)) from None
    campaign = _resolve_paths(campaign, where.parent, where)
    _check(campaign, where)
    return campaign


def load_campaign(path: Path) -> Campaign:
    """Read and validate a campaign file."""
    if not path.is_file():
        raise InputError(path, "no such campaign file")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise InputError(path, "too large to be a campaign file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "expected UTF-8 TOML") from None
    return parse_campaign(text, path)
