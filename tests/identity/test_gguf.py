"""The streaming GGUF reader on real model files, files written by the gguf package, and
corrupt or hostile headers."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from modelpassport.artifacts import LazyArray, gguf_vocabulary, read_gguf
from modelpassport.artifacts._gguf import SMALL_ARRAY, file_type_name
from modelpassport.errors import InputError

from .gguf_build import write_gguf


def test_reads_smollm2_header(smollm2_gguf: Path) -> None:
    f = read_gguf(smollm2_gguf)
    assert f.version == 3
    assert f.architecture == "llama"
    assert f.arch_value("context_length") == 8192
    assert f.arch_value("embedding_length") == 576
    assert f.metadata["general.organization"] == "HuggingFaceTB"
    assert file_type_name(int(f.metadata["general.file_type"])) == "Q4_1"  # type: ignore[arg-type]
    tokens = f.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, LazyArray)
    assert tokens.count == 49152
    vocab = tokens.read()
    assert vocab[0] == "<|endoftext|>"
    assert "<|im_start|>" in vocab
    assert "<|im_start|>" in f.chat_templates()["default"]
    embd = f.tensor("token_embd.weight")
    assert embd is not None
    assert embd.shape == (576, 49152)
    assert embd.type_name == "Q8_0"
    # The last tensor's data ends exactly at the end of the file.
    end = max(t.offset + (t.nbytes or 0) for t in f.tensors)
    assert end == f.file_size


def test_gemma_vocabulary_stays_lazy(gemma_gguf: Path) -> None:
    f = read_gguf(gemma_gguf)
    assert f.architecture == "gemma3"
    tokens = f.metadata["tokenizer.ggml.tokens"]
    scores = f.metadata["tokenizer.ggml.scores"]
    assert isinstance(tokens, LazyArray)
    assert tokens.count == 262144
    assert isinstance(scores, LazyArray)
    assert scores.item_type == "float32"
    assert len(scores.read()) == 262144
    assert file_type_name(int(f.metadata["general.file_type"])) == "Q4_K_M"  # type: ignore[arg-type]


def test_written_file_round_trips(tmp_path: Path) -> None:
    vocab = [f"tok{i}" for i in range(SMALL_ARRAY + 500)] + ["\u4e2d\u6587", "\u2581hello"]
    weights = np.arange(64 * 8, dtype=np.float32).reshape(8, 64)
    path = write_gguf(
        tmp_path / "m.gguf",
        strings={"general.name": "Tiny", "general.license": "mit"},
        ints={"llama.context_length": 4096},
        tokens=vocab,
        templates={"default": "{{ messages }}", "tool_use": "{{ tools }}", "rag": "{{ docs }}"},
        tensors={"token_embd.weight": weights, "norm.weight": np.ones(64, dtype=np.float32)},
    )
    f = read_gguf(path)
    assert f.metadata["general.name"] == "Tiny"
    assert f.arch_value("context_length") == 4096
    lazy = f.metadata["tokenizer.ggml.tokens"]
    assert isinstance(lazy, LazyArray)
    assert lazy.read() == vocab
    assert list(lazy.iter_bytes())[-1] == "\u2581hello".encode()
    assert f.chat_templates() == {
        "default": "{{ messages }}",
        "rag": "{{ docs }}",
        "tool_use": "{{ tools }}",
    }
    embd = f.tensor("token_embd.weight")
    assert embd is not None
    assert embd.shape == (64, 8)
    rows = f.read_rows(embd, [0, 7, 3])
    got = [np.frombuffer(r, dtype="<f4") for r in rows]
    np.testing.assert_array_equal(got[1], weights[7])
    np.testing.assert_array_equal(got[2], weights[3])
    with pytest.raises(InputError, match="row 8 outside"):
        f.read_rows(embd, [8])


def _header(n_tensors: int, n_kv: int, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv)


def _kv_string(key: str, value: bytes, claimed: int | None = None) -> bytes:
    k = key.encode()
    n = len(value) if claimed is None else claimed
    return struct.pack("<Q", len(k)) + k + struct.pack("<I", 8) + struct.pack("<Q", n) + value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "found only 0 bytes"),
        (b"GGML" + bytes(40), "magic"),
        (_header(0, 0, version=1) + bytes(8), "version 2 or 3, found 1"),
        (_header(0, 1) + _kv_string("general.name", b"x" * 16, claimed=2**60), "2^60|bytes"),
        (_header(0, 2**40), "plausible key count"),
        (_header(2**60, 0), "plausible tensor count"),
        (_header(0, 1) + _kv_string("k", b"abc")[:-2], "truncated"),
        (
            _header(0, 1) + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 99) + bytes(8),
            "value type 0-12, found 99",
        ),
        (
            _header(0, 1)
            + struct.pack("<Q", 1)
            + b"k"
            + struct.pack("<IIQ", 9, 8, 2**58)
            + bytes(8),
            "strings",
        ),
    ],
)
def test_bad_headers_fail_with_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_gguf(path)
    text = str(info.value)
    assert "\n" not in text
    assert str(path) in text
    assert any(part in text for part in message.split("|")), text


def test_every_truncation_of_a_real_header_is_an_input_error(tmp_path: Path) -> None:
    source = write_gguf(
        tmp_path / "src.gguf",
        strings={"general.name": "Cut"},
        tokens=[f"t{i}" for i in range(SMALL_ARRAY + 10)],
        templates={"default": "{{ x }}"},
        tensors={"w": np.ones((4, 32), dtype=np.float32)},
    )
    whole = source.read_bytes()
    cut = tmp_path / "cut.gguf"
    header_end = read_gguf(source).data_offset
    for n in sorted({24, 30, 60, 200, header_end // 2, header_end - 3}):
        cut.write_bytes(whole[:n])
        try:
            read = read_gguf(cut)
        except InputError:
            continue
        assert n > header_end - 32  # only the alignment padding may be missing
        assert read.truncated is not None
    for n in (header_end, len(whole) - 1):  # header whole, tensor data cut short
        cut.write_bytes(whole[:n])
        read = read_gguf(cut)
        assert read.truncated is not None
        assert "past the end of the file" in read.truncated
        assert read.metadata["general.name"] == "Cut"
        assert read.chat_templates() == {"default": "{{ x }}"}


def test_tensor_past_end_is_reported_as_truncation(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "t.gguf", tensors={"w": np.ones((16, 32), dtype=np.float32)})
    data = bytearray(path.read_bytes())
    info = struct.pack("<Q", 1) + b"w" + struct.pack("<I", 2)
    start = bytes(data).index(info) + len(info) + 16 + 4  # after the dims and the type
    data[start : start + 8] = struct.pack("<Q", 2**40)
    path.write_bytes(bytes(data))
    truncated = read_gguf(path).truncated
    assert truncated is not None
    assert "past the end of the file" in truncated


def test_big_endian_file_reads_the_same(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    vocab = [f"t{i}" for i in range(SMALL_ARRAY + 3)]
    path = tmp_path / "be.gguf"
    w = gguf.GGUFWriter(str(path), "llama", endianess=gguf.GGUFEndian.BIG)
    w.add_string("general.name", "Big")
    w.add_uint32("llama.context_length", 2048)
    w.add_token_list(vocab)
    w.add_tensor("w", np.arange(32, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    f = read_gguf(path)
    assert f.byteorder == ">"
    assert f.metadata["general.name"] == "Big"
    assert f.arch_value("context_length") == 2048
    tokens = f.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, LazyArray)
    assert tokens.read() == vocab


def test_mutated_headers_never_escape_as_other_errors(tmp_path: Path) -> None:
    """Any byte of a small real header changed to any value: the reader either parses the
    file or raises InputError, never another exception, and never runs away."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    source = write_gguf(
        tmp_path / "src.gguf",
        strings={"general.name": "Fuzz"},
        ints={"llama.context_length": 512},
        tokens=[f"t{i}" for i in range(40)],
        templates={"default": "{{ x }}", "tool_use": "{{ y }}"},
        tensors={"w": np.ones((2, 32), dtype=np.float32)},
    )
    whole = source.read_bytes()
    header_end = read_gguf(source).data_offset
    target = tmp_path / "mutated.gguf"

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(
            st.tuples(st.integers(0, header_end - 1), st.integers(0, 255)), min_size=1, max_size=4
        )
    )
    def check(edits: list[tuple[int, int]]) -> None:
        data = bytearray(whole)
        for pos, value in edits:
            data[pos] = value
        target.write_bytes(bytes(data))
        try:
            f = read_gguf(target)
            gguf_vocabulary(f)
        except InputError:
            return
        for value in f.metadata.values():
            if isinstance(value, LazyArray):
                value.read()
        f.chat_templates()

    check()
