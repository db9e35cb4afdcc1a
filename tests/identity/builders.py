"""Writers for real file formats, used to derive test fixtures from packaged models."""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np


@cache
def byte_encoder() -> dict[int, str]:
    """GPT-2's byte -> printable character table (the inverse of what the reader uses)."""
    keep = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    chars = list(keep)
    extra = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(keep, chars, strict=True)}


def to_byte_level(token: bytes) -> str:
    """A raw token as tokenizer.json writes it (GPT-2 byte-level characters)."""
    enc = byte_encoder()
    return "".join(enc[b] for b in token)


def write_tokenizer_json(
    path: Path,
    vocab: Sequence[str],
    added: Sequence[tuple[int, str]] = (),
    merges: Sequence[str] = (),
) -> Path:
    """A byte-level BPE tokenizer.json: ``vocab`` (byte-level strings) takes the ids not
    used by ``added`` (id, text) special tokens, in order."""
    taken = {i for i, _ in added}
    ids = (i for i in range(len(vocab) + len(added)) if i not in taken)
    model_vocab = {tok: next(ids) for tok in vocab}
    added_tokens = [
        {
            "id": i,
            "content": text,
            "special": True,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
        }
        for i, text in added
    ]
    doc = {
        "version": "1.0",
        "added_tokens": added_tokens,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "vocab": model_vocab, "merges": list(merges)},
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def write_sentencepiece(path: Path, pieces: Sequence[tuple[bytes, int]]) -> Path:
    """A SentencePiece ModelProto with ``pieces`` as (piece, type) in id order."""
    parts: list[bytes] = []
    for i, (piece, ptype) in enumerate(pieces):
        msg = b"".join(
            (_field(1, piece), b"\x15", struct.pack("<f", -float(i)), b"\x18", _varint(ptype))
        )
        parts.append(_field(1, msg))
    body = bytearray(b"".join(parts))
    body += _field(2, _field(1, b"unigram"))  # trainer_spec, which the reader skips
    path.write_bytes(bytes(body))
    return path


def write_safetensors(
    path: Path, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None
) -> Path:
    """A safetensors file (F32/F16 arrays), laid out as the format specifies."""
    names = {np.dtype("float32"): "F32", np.dtype("float16"): "F16"}
    header: dict[str, object] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": names[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = dict(metadata)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    return path
