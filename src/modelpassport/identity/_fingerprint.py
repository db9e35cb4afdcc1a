"""Tokenizer fingerprints: exact hashes for identical vocabularies, a bottom-k sketch for
vocabularies that were extended (chat tokens added) or lightly edited.

The sketch keeps the ``SKETCH_K`` smallest 63-bit hashes of a vocabulary's surface forms; two
sketches estimate the Jaccard overlap of the full vocabularies without storing them, which is
what lets the catalog carry a family's tokenizer in a few kilobytes.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from modelpassport.artifacts import (
    Vocabulary,
    gguf_vocabulary,
    read_gguf,
    read_tiktoken,
    read_tokenizer_json,
    read_tokenizer_model,
)
from modelpassport.errors import InputError

SKETCH_K = 256


class TokenizerFingerprint(BaseModel):
    """What identifies a tokenizer, independent of the file format it came in."""

    kind: str
    vocab_size: int = Field(description="all token ids, special ones included")
    normal_tokens: int = Field(description="learned tokens, without control/added tokens")
    tokens_sha256: str = Field(description="sha256 of learned tokens' surface forms, id order")
    merges_sha256: str | None = None
    special_tokens: list[str] = Field(default_factory=list)
    pre_tokenizer: str | None = None
    sketch: str | None = Field(
        default=None, description="bottom-k hashes of the learned tokens, 16 hex digits each"
    )


def bottom_k(tokens: Sequence[bytes], k: int = SKETCH_K) -> list[int]:
    """The ``k`` smallest distinct 63-bit token hashes (blake2b), ascending."""
    if not tokens:
        return []
    b2 = hashlib.blake2b
    blob = b"".join([b2(t, digest_size=8).digest() for t in tokens])
    hashes = np.unique(np.frombuffer(blob, dtype=">u8") >> np.uint64(1))
    return [int(h) for h in hashes[:k]]


def encode_sketch(values: list[int]) -> str:
    """Hashes as one hex string (compact and diff-friendly in the catalog)."""
    return "".join(f"{v:016x}" for v in values)


def decode_sketch(text: str) -> list[int]:
    """Inverse of ``encode_sketch``."""
    return [int(text[i : i + 16], 16) for i in range(0, len(text), 16)]


def sketch_jaccard(a: str, b: str) -> float | None:
    """Estimated Jaccard overlap of two vocabularies from their sketches; None if either is
    empty. Standard bottom-k estimator: among the k smallest hashes of the union, the share
    present in both sketches."""
    sa, sb = set(decode_sketch(a)), set(decode_sketch(b))
    if not sa or not sb:
        return None
    k = min(len(sa), len(sb))
    union = heapq.nsmallest(k, sa | sb)
    return sum(1 for h in union if h in sa and h in sb) / len(union)


def _learned(vocab: Vocabulary) -> list[bytes]:
    return [t for t, n in zip(vocab.tokens, vocab.normal, strict=True) if n]


# Unused/reserved placeholders say nothing about a tokenizer's family; keep them off the list.
_PLACEHOLDER = re.compile(r"unused|reserved|extra_id|^<0x[0-9A-Fa-f]{2}>$|^\[PAD\d+\]$")


def fingerprint(vocab: Vocabulary, *, sketch: bool = True) -> TokenizerFingerprint:
    """Fingerprint a vocabulary read by any of the tokenizer readers. The sketch (the costly
    part on large vocabularies) can be left out and added later with ``with_sketch``."""
    learned = _learned(vocab)
    # Length table first, then the bytes: unambiguous, and one C-level pass over the data.
    lengths = np.fromiter(map(len, learned), dtype="<u4", count=len(learned))
    h = hashlib.sha256(lengths.tobytes())
    h.update(b"".join(learned))
    merges = None
    if vocab.merges is not None:
        merges = hashlib.sha256(
            "\n".join(vocab.merges).encode("utf-8", "surrogatepass")
        ).hexdigest()
    return TokenizerFingerprint(
        kind=vocab.kind,
        vocab_size=len(vocab.tokens),
        normal_tokens=len(learned),
        tokens_sha256=h.hexdigest(),
        merges_sha256=merges,
        special_tokens=[t for t in vocab.special if not _PLACEHOLDER.search(t)][:64],
        pre_tokenizer=vocab.pre_tokenizer,
        sketch=encode_sketch(bottom_k(learned)) if sketch else None,
    )


def with_sketch(fp: TokenizerFingerprint, vocab: Vocabulary) -> TokenizerFingerprint:
    """``fp`` with its sketch computed (no-op if it has one)."""
    if fp.sketch is not None:
        return fp
    return fp.model_copy(update={"sketch": encode_sketch(bottom_k(_learned(vocab)))})


def exact_overlap(a: Vocabulary, b: Vocabulary) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) over learned tokens' surface forms,
    for when both full vocabularies are at hand (subject and a reference file)."""
    sa = {t for t, n in zip(a.tokens, a.normal, strict=True) if n}
    sb = {t for t, n in zip(b.tokens, b.normal, strict=True) if n}
    if not sa or not sb:
        return 0.0, 0.0
    inter = len(sa & sb)
    return inter / len(sa | sb), inter / min(len(sa), len(sb))


def read_vocabulary(path: Path) -> Vocabulary:
    """Read any tokenizer-bearing file: a GGUF, tokenizer.json, tokenizer.model or a tiktoken
    rank file (chosen by name, each reader bounded)."""
    name = path.name.lower()
    if name.endswith(".gguf"):
        vocab = gguf_vocabulary(read_gguf(path))
        if vocab is None:
            raise InputError(path, "expected a GGUF file with tokenizer.ggml.tokens")
        return vocab
    if name.endswith(".json"):
        return read_tokenizer_json(path)
    if name.endswith(".tiktoken"):
        return read_tiktoken(path)
    if name.endswith(".model"):
        return read_tokenizer_model(path)
    raise InputError(path, "expected a .gguf, tokenizer.json, tokenizer.model or .tiktoken file")


def fingerprint_file(path: Path) -> TokenizerFingerprint:
    """Fingerprint the tokenizer in ``path`` (see ``read_vocabulary``)."""
    return fingerprint(read_vocabulary(path))
