"""The in-process llama.cpp target: file checks, fingerprints, and the real bundled GGUF."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import cast

import pytest

from modelpassport.errors import InputError
from modelpassport.refs import default_model_path
from modelpassport.targets import Limits, StreamChunk, TargetSpec, open_target
from modelpassport.targets._llamacpp import file_fingerprint

from .conftest import ask, collect

pytest.importorskip("llama_cpp")


def test_fingerprint_tells_apart_files_with_one_name(tmp_path: Path) -> None:
    first = tmp_path / "a" / "model.gguf"
    second = tmp_path / "b" / "model.gguf"
    for path, tail in ((first, b"x"), (second, b"y")):
        path.parent.mkdir()
        path.write_bytes(b"GGUF" + b"\0" * (3 * 1024 * 1024) + tail)
    assert file_fingerprint(first) != file_fingerprint(second)
    assert file_fingerprint(first) == file_fingerprint(first)


def test_a_file_that_is_not_gguf_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.gguf"
    path.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(InputError, match="expected a GGUF file"):
        open_target(TargetSpec("llamacpp", "fake", path=path), Limits())


def test_a_broken_gguf_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.gguf"
    path.write_bytes(b"GGUF" + b"\xff" * 64)
    with pytest.raises(InputError) as caught:
        open_target(TargetSpec("llamacpp", "broken", path=path), Limits())
    assert str(caught.value).startswith(str(path))


@pytest.mark.llm
async def test_real_model_is_deterministic_and_streams_the_same_text() -> None:
    path = default_model_path()
    target = open_target(TargetSpec("llamacpp", path.stem, path=path), Limits(max_retries=0))
    try:
        assert target.identity.provider == "llamacpp"
        assert target.identity.model == path.stem
        assert target.identity.fingerprint == file_fingerprint(path)
        request = ask("What is the capital of France?", max_tokens=12, temperature=0.0)
        first = await target.chat(request)
        second = await target.chat(request)
        chunks = await collect(target, request)
        early_stream = cast(AsyncGenerator[StreamChunk, None], target.stream(request))
        async with aclosing(early_stream) as early:
            async for _ in early:
                break  # stop after one token: the generation thread must let go of the model
        sampled = request.model_copy(update={"temperature": 1.2, "seed": 7})
        sampled_texts = {(await target.chat(sampled)).text for _ in range(2)}
    finally:
        await target.aclose()
    assert first.text.strip()
    assert first.text == second.text
    assert first.finish_reason in ("stop", "length")
    assert first.usage.prompt is not None
    assert first.usage.prompt > 0
    assert first.usage.completion is not None
    assert 0 < first.usage.completion <= 12
    assert "".join(c.text for c in chunks) == first.text
    assert chunks[-1].finish_reason == first.finish_reason
    assert len(sampled_texts) == 1, "one seed must give one sample"
