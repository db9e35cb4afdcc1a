"""Weight lineage: do two models' token embeddings come from the same training run?

For a deterministic sample of tokens both vocabularies share, each model's embedding rows
are centred and normalised, and the token-by-token cosine-similarity matrix is computed. Two
models of one lineage (a fine-tune, a re-quantization, a renamed copy) have nearly the same
similarity structure; independently trained models do not. Comparing similarity matrices
rather than the vectors themselves makes the test blind to the hidden size, to any
permutation or rotation of the hidden dimension, and robust to quantization noise.
Only the sampled rows are read from disk, so memory stays small whatever the vocabulary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from modelpassport.artifacts import GGUFFile, HFFolder, Vocabulary
from modelpassport.errors import InputError, MissingExtraError
from modelpassport.passport.sections.identity import LineageMatch, LineageVerdict

METHOD = "embedding-similarity-structure/v1"
DEFAULT_SAMPLE = 256
MIN_SHARED = 64
# Calibration (bench/bench_identity.py prints the same figures): unrelated models still share
# some semantic structure (SmolLM2 vs Gemma 3: r = 0.29 on 512 shared tokens), while a copy with
# its hidden dimension permuted and Gaussian noise of 50% of the weights' spread keeps r = 0.91.
SAME_AT = 0.7
UNRELATED_BELOW = 0.5

RowReader = Callable[[list[int]], np.ndarray]


@dataclass(frozen=True)
class Embeddings:
    """A model's vocabulary and a way to read selected embedding rows as float32."""

    label: str
    path: Path
    vocab: Vocabulary
    rows: RowReader


def _dequantize(raw: np.ndarray, ggml_type: int, type_name: str) -> np.ndarray:
    if type_name == "F32":
        return raw.view("<f4").astype(np.float32)
    if type_name == "F16":
        return raw.view("<f2").astype(np.float32)
    if type_name == "BF16":
        return _bf16(raw)
    try:
        from gguf import GGMLQuantizationType, quants
    except ImportError:
        raise MissingExtraError("weight lineage on quantized GGUF", "gguf", "identity") from None
    out: Any = quants.dequantize(raw, GGMLQuantizationType(ggml_type))
    return np.asarray(out, dtype=np.float32)


def _bf16(raw: np.ndarray) -> np.ndarray:
    return (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)


def gguf_embeddings(f: GGUFFile, vocab: Vocabulary) -> Embeddings | None:
    """Embedding rows of a GGUF's ``token_embd.weight`` (dequantized on read)."""
    tensor = f.tensor("token_embd.weight")
    if tensor is None or len(tensor.shape) != 2:
        return None

    def read(rows: list[int]) -> np.ndarray:
        raw = np.frombuffer(b"".join(f.read_rows(tensor, rows)), dtype=np.uint8)
        return _dequantize(raw.reshape(len(rows), -1), tensor.ggml_type, tensor.type_name).reshape(
            len(rows), tensor.shape[0]
        )

    return Embeddings(f.path.name, f.path, vocab, read)


_EMBED_NAMES = (
    "model.embed_tokens.weight",
    "embed_tokens.weight",
    "transformer.wte.weight",
    "model.language_model.embed_tokens.weight",
    "tok_embeddings.weight",
)


def hf_embeddings(folder: HFFolder, vocab: Vocabulary) -> Embeddings | None:
    """Embedding rows from a folder's safetensors (F32, F16 or BF16)."""
    for weights in folder.weights:
        for name in _EMBED_NAMES:
            tensor = weights.tensor(name)
            if tensor is None or tensor.dtype not in ("F32", "F16", "BF16"):
                continue
            w, t = weights, tensor

            def read(rows: list[int], w: Any = w, t: Any = t) -> np.ndarray:
                raw = np.frombuffer(b"".join(w.read_rows(t, rows)), dtype=np.uint8)
                return _dequantize(raw, 0, t.dtype).reshape(len(rows), t.shape[1])

            return Embeddings(folder.root.name, weights.path, vocab, read)
    return None


def _learned_ids(vocab: Vocabulary) -> dict[bytes, int]:
    out: dict[bytes, int] = {}
    for i, (tok, normal) in enumerate(zip(vocab.tokens, vocab.normal, strict=True)):
        if normal and tok and tok not in out:
            out[tok] = i
    return out


def _similarity(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms == 0, 1.0, norms)
    s = x @ x.T
    return s[np.triu_indices(len(x), k=1)]


def compare(
    subject: Embeddings,
    reference: Embeddings,
    *,
    reference_family: str | None = None,
    sample: int = DEFAULT_SAMPLE,
) -> LineageMatch:
    """Compare the similarity structure of shared tokens between two models."""
    a, b = _learned_ids(subject.vocab), _learned_ids(reference.vocab)
    shared = sorted(set(a) & set(b), key=lambda t: hashlib.blake2b(t, digest_size=8).digest())
    picked = shared[:sample]
    if len(picked) < MIN_SHARED:
        return LineageMatch(
            reference=str(reference.path),
            reference_family=reference_family,
            shared_tokens=len(shared),
            sample=len(picked),
            score=None,
            verdict="inconclusive",
            method=METHOD,
        )
    xa = subject.rows([a[t] for t in picked])
    xb = reference.rows([b[t] for t in picked])
    if not (np.isfinite(xa).all() and np.isfinite(xb).all()):
        raise InputError(subject.path, "token embeddings hold NaN or infinite values")
    sa, sb = _similarity(xa), _similarity(xb)
    r = float(np.corrcoef(sa, sb)[0, 1]) if sa.std() > 0 and sb.std() > 0 else 0.0
    verdict: LineageVerdict = (
        "same_lineage" if r >= SAME_AT else "unrelated" if r < UNRELATED_BELOW else "inconclusive"
    )
    return LineageMatch(
        reference=str(reference.path),
        reference_family=reference_family,
        shared_tokens=len(shared),
        sample=len(picked),
        score=round(r, 4),
        verdict=verdict,
        method=METHOD,
    )
