"""Tokenizer readers and fingerprints on real vocabularies (Llama 3, Qwen, SmolLM2, Gemma 3)
and on files derived from them in every supported format."""

from __future__ import annotations

import base64
import os
import subprocess
import time
from pathlib import Path

import pytest

from modelpassport.artifacts import (
    gguf_vocabulary,
    read_gguf,
    read_tiktoken,
    read_tokenizer_json,
    read_tokenizer_model,
)
from modelpassport.errors import InputError
from modelpassport.identity import exact_overlap, fingerprint, read_vocabulary, sketch_jaccard

from .builders import to_byte_level, write_sentencepiece, write_tokenizer_json


def test_llama3_tiktoken_file(llama3_tokenizer: Path) -> None:
    vocab = read_tokenizer_model(llama3_tokenizer)
    assert vocab.kind == "tiktoken"
    assert len(vocab.tokens) == 128000
    assert vocab.tokens[0] == b"!"
    assert b" the" in vocab.tokens


def test_tokenizer_json_matches_tiktoken_and_survives_added_tokens(
    tmp_path: Path, qwen_tiktoken: Path
) -> None:
    """The same vocabulary in tokenizer.json (byte-level strings, plus chat tokens added by a
    fine-tune) has the same learned-token hash as the rank file it came from."""
    base = read_tiktoken(qwen_tiktoken)
    added = ["<|im_start|>", "<|im_end|>", "<|acme_tool|>"]
    path = write_tokenizer_json(
        tmp_path / "tokenizer.json",
        [to_byte_level(t) for t in base.tokens],
        [(len(base.tokens) + j, text) for j, text in enumerate(added)],
        ["a b", "c d"],
    )
    extended = read_tokenizer_json(path)
    assert extended.kind == "bpe"
    assert len(extended.tokens) == len(base.tokens) + 3
    assert extended.special == tuple(sorted(added))
    fp_base, fp_ext = fingerprint(base), fingerprint(extended)
    assert fp_ext.tokens_sha256 == fp_base.tokens_sha256
    assert fp_ext.vocab_size == fp_base.vocab_size + 3
    assert fp_ext.merges_sha256 is not None
    assert exact_overlap(base, extended) == (1.0, 1.0)


def test_sentencepiece_model_matches_gguf_vocabulary(tmp_path: Path, gemma_gguf: Path) -> None:
    gguf_vocab = gguf_vocabulary(read_gguf(gemma_gguf))
    assert gguf_vocab is not None
    tokens = read_gguf(gemma_gguf).metadata["tokenizer.ggml.tokens"]
    types = read_gguf(gemma_gguf).metadata["tokenizer.ggml.token_type"]
    pieces = list(zip(tokens.iter_bytes(), types.read(), strict=True))  # type: ignore[union-attr]
    sp = read_tokenizer_model(write_sentencepiece(tmp_path / "tokenizer.model", pieces))  # type: ignore[arg-type]
    assert sp.kind == "sentencepiece"
    assert fingerprint(sp).tokens_sha256 == fingerprint(gguf_vocab).tokens_sha256
    assert "<start_of_turn>" in sp.special


def test_sketch_separates_families(
    smollm2_gguf: Path, qwen_tiktoken: Path, llama3_tokenizer: Path
) -> None:
    smol = fingerprint(read_vocabulary(smollm2_gguf))
    qwen = fingerprint(read_vocabulary(qwen_tiktoken))
    llama = fingerprint(read_vocabulary(llama3_tokenizer))
    assert smol.sketch
    assert qwen.sketch
    assert llama.sketch
    assert sketch_jaccard(qwen.sketch, qwen.sketch) == 1.0
    for a, b in ((smol, qwen), (smol, llama), (qwen, llama)):
        j = sketch_jaccard(a.sketch or "", b.sketch or "")
        assert j is not None
        assert j < 0.8
    # Dropping 1% of Qwen's tokens (a pruned copy) barely moves the estimate.
    pruned = read_vocabulary(qwen_tiktoken)
    kept = [t for i, t in enumerate(pruned.tokens) if i % 100]
    j_pruned = sketch_jaccard(
        qwen.sketch,
        fingerprint(type(pruned)("x", "tiktoken", tuple(kept), (True,) * len(kept), ())).sketch
        or "",
    )
    assert j_pruned is not None
    assert j_pruned > 0.9


def test_two_gigabyte_tokenizer_json_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    subprocess.run(["truncate", "-s", "2G", str(path)], check=True)
    assert os.stat(path).st_blocks == 0  # sparse: nothing was written
    start = time.perf_counter()
    with pytest.raises(InputError, match="at most 128 MiB, found 2048 MiB"):
        read_tokenizer_json(path)
    assert time.perf_counter() - start < 5  # refused from its size, never read


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "tokenizer.json",
            b'{"model": {"type": "BPE", "vocab": {"a": 0',
            "expected tokenizer JSON",
        ),
        ("tokenizer.json", b'{"model": {"type": "Neural"}}', "expected BPE, Unigram"),
        (
            "tokenizer.json",
            b'{"model": {"type": "BPE", "vocab": {"a": 99999999}}}',
            "expected an id below",
        ),
        ("tokenizer.json", b"[1, 2]", "JSON object with a 'model'"),
        ("tokenizer.model", b"\x0a\xff\xff\xff\xff\x0f\x01", "truncated SentencePiece"),
        ("tokenizer.model", b"\x0b\x00", "wire type 3"),
        ("r.tiktoken", base64.b64encode(b"hi") + b" 0\nnot-base64!! 1\n", "line 2"),
    ],
)
def test_corrupt_tokenizers_fail_with_one_line(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_vocabulary(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_lone_surrogates_in_tokenizer_json_are_data_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text(
        '{"model": {"type": "BPE", "vocab": {"\\ud800x": 0, "a": 1}, "merges": ["\\ud800 x"]},'
        ' "added_tokens": [{"id": 2, "content": "<\\udfff>", "special": true}]}'
    )
    fp = fingerprint(read_tokenizer_json(path))
    assert fp.vocab_size == 3
    assert fp.model_dump_json()  # serialisable: the passport can carry it
