"""REF strings resolve into the subject the user meant, or fail with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.errors import InputError, ModelPassportError, RefError
from modelpassport.refs import default_model_path, resolve


def test_default_ref_is_the_bundled_gguf() -> None:
    subject = resolve(None)
    assert subject.kind == "gguf"
    assert subject.artifacts is not None
    assert subject.artifacts.primary == default_model_path()
    assert subject.target is not None
    assert subject.target.provider == "llamacpp"
    assert default_model_path().stat().st_size > 50_000_000


def test_endpoint_ref_keeps_model_after_hash() -> None:
    subject = resolve("http://127.0.0.1:8080/v1/#my-model")
    assert subject.artifacts is None
    assert subject.target is not None
    assert subject.target.provider == "openai_compat"
    assert subject.target.base_url == "http://127.0.0.1:8080/v1"
    assert subject.target.model == "my-model"


@pytest.mark.parametrize(
    ("ref", "provider", "key_env"),
    [
        ("openai:gpt-4o-mini", "openai_compat", "OPENAI_API_KEY"),
        ("deepseek:deepseek-chat", "openai_compat", "DEEPSEEK_API_KEY"),
        ("anthropic:claude-sonnet-4-5", "anthropic", "ANTHROPIC_API_KEY"),
    ],
)
def test_hosted_refs_name_the_key_variable_not_the_key(
    ref: str, provider: str, key_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(key_env, "sk-secret-value")
    subject = resolve(ref)
    assert subject.target is not None
    assert subject.target.provider == provider
    assert subject.target.api_key_env == key_env
    assert "sk-secret-value" not in repr(subject)


def test_base_url_override_for_hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    subject = resolve("openai:gpt-4o")
    assert subject.target is not None
    assert subject.target.base_url == "http://127.0.0.1:9/v1"


def test_model_folder_is_files_only(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    subject = resolve(str(tmp_path))
    assert subject.kind == "hf_dir"
    assert subject.target is None
    assert subject.artifacts is not None
    assert subject.artifacts.files == (tmp_path / "config.json",)


def test_files_option_adds_artifacts_to_endpoint(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    subject = resolve("http://127.0.0.1:8080/v1#m", files=tmp_path)
    assert subject.artifacts is not None
    assert subject.target is not None


@pytest.mark.parametrize(
    ("ref", "error", "fragment"),
    [
        ("nonsense", RefError, "not a file, folder, URL or known scheme"),
        ("http://127.0.0.1:8080/v1", RefError, "name the model after '#'"),
        ("openai:", RefError, "expected openai:MODEL"),
        ("missing.gguf", InputError, "no such file"),
        ("scripted:missing.json", InputError, "no such scripted answers file"),
    ],
)
def test_bad_refs_fail_with_one_line(
    ref: str, error: type[ModelPassportError], fragment: str
) -> None:
    with pytest.raises(error) as info:
        resolve(ref)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_any_single_file_is_a_files_only_subject(tmp_path: Path) -> None:
    for name, data in (
        ("weights.bin", b"\0" * 16),
        ("model.pt", b"\x80\x02}q\x00."),
        ("x.onnx", b"\x08\x07"),
        ("x.keras", b"PK\x05\x06" + b"\0" * 18),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        subject = resolve(str(path))
        assert subject.target is None
        assert subject.artifacts is not None
        assert subject.artifacts.kind == "file"
        assert subject.artifacts.files == (path,)
    renamed = tmp_path / "model.bin"
    renamed.write_bytes(b"GGUF" + b"\0" * 20)
    assert resolve(str(renamed)).kind == "gguf"  # GGUF by its magic bytes, whatever its name
