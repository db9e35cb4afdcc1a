"""Build real GGUF files in tests with the ``gguf`` package's writer (never committed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest


def write_gguf(
    path: Path,
    *,
    arch: str = "llama",
    strings: Mapping[str, str] | None = None,
    ints: Mapping[str, int] | None = None,
    tokens: Sequence[str] = (),
    templates: Mapping[str, str] | None = None,
    tensors: Mapping[str, np.ndarray] | None = None,
    quantized: Mapping[str, tuple[np.ndarray, str]] | None = None,
) -> Path:
    """Write a GGUF file; ``quantized`` maps name -> (float32 array, ggml type name)."""
    gguf = pytest.importorskip("gguf")
    writer = gguf.GGUFWriter(str(path), arch)
    for key, value in (strings or {}).items():
        writer.add_string(key, value)
    for key, ivalue in (ints or {}).items():
        writer.add_uint32(key, ivalue)
    if tokens:
        writer.add_tokenizer_model("gpt2")
        writer.add_token_list(list(tokens))
    for name, template in (templates or {}).items():
        key = "tokenizer.chat_template" if name == "default" else f"tokenizer.chat_template.{name}"
        writer.add_string(key, template)
    for name, array in (tensors or {}).items():
        writer.add_tensor(name, array)
    for name, (array, qtype_name) in (quantized or {}).items():
        qtype = gguf.GGMLQuantizationType[qtype_name]
        data = gguf.quants.quantize(array.astype(np.float32), qtype)
        writer.add_tensor(name, data, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
