"""Target providers: one table row each, the backend module imported only when opened."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from modelpassport.errors import MissingExtraError, ModelPassportError

from ._limits import Limits
from ._types import Target

Provider = Literal["llamacpp", "openai_compat", "anthropic", "scripted"]


@dataclass(frozen=True)
class TargetSpec:
    """What to open, without secrets: API keys are read from ``api_key_env`` at open time."""

    provider: Provider
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    path: Path | None = None
    vendor: str | None = None


@dataclass(frozen=True)
class _Backend:
    module: str
    cls: str
    needs_module: str | None = None
    extra: str | None = None


_BACKENDS: dict[Provider, _Backend] = {
    "llamacpp": _Backend(
        "modelpassport.targets._llamacpp", "LlamaCppTarget", "llama_cpp", "llamacpp"
    ),
    "openai_compat": _Backend("modelpassport.targets._openai", "OpenAICompatTarget"),
    "anthropic": _Backend("modelpassport.targets._anthropic", "AnthropicTarget"),
    "scripted": _Backend("modelpassport.targets._scripted", "ScriptedTarget"),
}


def read_api_key(spec: TargetSpec) -> str | None:
    """The API key named by the spec, from the environment; fails clearly when missing."""
    if spec.api_key_env is None:
        return None
    key = os.environ.get(spec.api_key_env)
    if not key:
        raise ModelPassportError(
            f"{spec.vendor or spec.provider}:{spec.model} needs the environment variable "
            f"{spec.api_key_env} (the key is read from there and never written anywhere)"
        )
    return key


def open_target(spec: TargetSpec, limits: Limits | None = None) -> Target:
    """Open the backend for ``spec``; a missing optional dependency names its pip extra."""
    backend = _BACKENDS[spec.provider]
    if backend.needs_module is not None:
        try:
            importlib.import_module(backend.needs_module)
        except ImportError:
            raise MissingExtraError(
                f"the {spec.provider} target", backend.needs_module, backend.extra or "all"
            ) from None
    cls = getattr(importlib.import_module(backend.module), backend.cls)
    return cast(Target, cls.open(spec, limits or Limits()))
