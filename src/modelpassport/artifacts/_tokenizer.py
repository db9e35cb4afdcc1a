"""Tokenizer readers: tokenizer.json, SentencePiece ``tokenizer.model``, tiktoken rank files and
a GGUF file's embedded vocabulary, all turned into one ``Vocabulary``.

A vocabulary is the strongest evidence of where a model comes from: renaming a model is free,
retraining its tokenizer is not. Every reader bounds the size it accepts and parses data only
(JSON, protobuf wire format, base64 lines); nothing is imported or executed.

Tokens are kept as *surface bytes*, the text a token stands for, so that a GPT-2 style
byte-level token (``Ġthe``), a SentencePiece piece (``▁the``) and a tiktoken rank (``b" the"``)
compare equal across file formats.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from modelpassport.errors import InputError

from ._gguf import GGUFFile, LazyArray
from ._json import load_json

# The largest real tokenizer files are ~35 MB; anything past this is refused unread.
MAX_TOKENIZER_BYTES: Final = 128 * 1024 * 1024
MAX_VOCAB: Final = 4_000_000

_TIKTOKEN_LINE: Final = re.compile(rb"[A-Za-z0-9+/]+=*[ ]\d+\r?\n")

TokenizerKind = Literal["bpe", "sentencepiece", "wordpiece", "unigram", "tiktoken"]


@dataclass(frozen=True)
class Vocabulary:
    """A tokenizer's tokens in id order, as surface bytes, with what marks them special.

    ``normal`` flags tokens learned by the tokenizer (not control/added/special ones), so an
    exact hash over them survives a fine-tune that adds chat tokens.
    """

    source: str
    kind: TokenizerKind
    tokens: tuple[bytes, ...]
    normal: tuple[bool, ...]
    special: tuple[str, ...]
    merges: tuple[str, ...] | None = None
    pre_tokenizer: str | None = None


def check_size(path: Path, limit: int = MAX_TOKENIZER_BYTES) -> int:
    """Refuse a file larger than ``limit`` before reading a byte of it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    if size > limit:
        raise InputError(
            path,
            f"expected a tokenizer file of at most {limit // 2**20} MiB, "
            f"found {size / 2**20:.0f} MiB",
        )
    return size


@cache
def _byte_decoder() -> dict[int, int]:
    """The GPT-2 byte-level alphabet, reversed: stand-in code point -> the byte it encodes."""
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
    return dict(zip(chars, keep, strict=True))


def _utf8(text: str) -> bytes:
    """UTF-8 bytes; lone surrogates (legal in JSON escapes) are kept, not fatal."""
    return text.encode("utf-8", "surrogatepass")


def byte_level_surface(token: str) -> bytes:
    """Decode a GPT-2 byte-level token (``Ġthe``) to the bytes it stands for (`` the``)."""
    try:
        return token.translate(_byte_decoder()).encode("latin-1")
    except UnicodeEncodeError:
        return _utf8(token)  # an added token written as plain text


_SPACE_MARK: Final = "\u2581".encode()


def piece_surface(piece: bytes) -> bytes:
    """Decode a SentencePiece piece: ``▁`` is a space, ``<0x0A>`` a raw byte."""
    if len(piece) == 6 and piece.startswith(b"<0x") and piece.endswith(b">"):
        try:
            return bytes([int(piece[3:5], 16)])
        except ValueError:
            pass
    return piece.replace(_SPACE_MARK, b" ")


def read_tokenizer_json(path: Path) -> Vocabulary:
    """Read a Hugging Face ``tokenizer.json`` (BPE, Unigram or WordPiece), size-bounded."""
    check_size(path)
    doc = load_json(path.read_bytes(), path, "tokenizer JSON")
    if not isinstance(doc, dict) or not isinstance(doc.get("model"), dict):
        raise InputError(path, "expected a JSON object with a 'model' object")
    model: dict[str, Any] = doc["model"]
    mtype = model.get("type") or ("BPE" if "merges" in model else None)
    byte_level = "ByteLevel" in json.dumps(doc.get("pre_tokenizer")) or "ByteLevel" in json.dumps(
        doc.get("decoder")
    )
    ids: dict[int, bytes] = {}
    if mtype in ("BPE", "WordPiece", "WordLevel"):
        vocab = model.get("vocab")
        if not isinstance(vocab, dict):
            raise InputError(path, "model.vocab: expected an object of token -> id")
        for tok, i in vocab.items():
            if not isinstance(i, int) or not 0 <= i < MAX_VOCAB:
                raise InputError(path, f"model.vocab[{tok!r}]: expected an id below {MAX_VOCAB}")
            ids[i] = byte_level_surface(tok) if byte_level else piece_surface(_utf8(tok))
    elif mtype == "Unigram":
        vocab_list = model.get("vocab")
        if not isinstance(vocab_list, list):
            raise InputError(path, "model.vocab: expected a list of [piece, score]")
        for i, entry in enumerate(vocab_list):
            if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
                raise InputError(path, f"model.vocab[{i}]: expected [piece, score]")
            ids[i] = piece_surface(_utf8(entry[0]))
    else:
        raise InputError(path, f"model.type: expected BPE, Unigram or WordPiece, found {mtype!r}")
    normal_ids = set(ids)
    special: list[str] = []
    for j, added in enumerate(doc.get("added_tokens") or []):
        if (
            not isinstance(added, dict)
            or not isinstance(added.get("id"), int)
            or not isinstance(added.get("content"), str)
        ):
            raise InputError(path, f"added_tokens[{j}]: expected {{id, content}}")
        if not 0 <= added["id"] < MAX_VOCAB:
            raise InputError(path, f"added_tokens[{j}].id: expected an id below {MAX_VOCAB}")
        ids[added["id"]] = _utf8(added["content"])
        normal_ids.discard(added["id"])
        if added.get("special"):
            special.append(_utf8(added["content"]).decode("utf-8", "replace"))
    merges = _merges(path, model.get("merges")) if mtype == "BPE" else None
    pre = doc.get("pre_tokenizer")
    kind: TokenizerKind = {"BPE": "bpe", "Unigram": "unigram"}.get(str(mtype), "wordpiece")  # type: ignore[assignment]
    return _from_ids(str(path), kind, ids, normal_ids, special, merges, _describe(pre))


def _merges(path: Path, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise InputError(path, "model.merges: expected a list")
    out: list[str] = []
    for m in raw:
        if isinstance(m, str):
            out.append(m)
        elif isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m):
            out.append(f"{m[0]} {m[1]}")
        else:
            raise InputError(path, "model.merges: expected 'a b' strings or [a, b] pairs")
    return tuple(out)


def _describe(pre: object) -> str | None:
    """A short, stable description of a pre-tokenizer (types and regex patterns)."""
    if not isinstance(pre, dict):
        return None
    return json.dumps(pre, sort_keys=True, ensure_ascii=False)


def _from_ids(
    source: str,
    kind: TokenizerKind,
    ids: dict[int, bytes],
    normal_ids: set[int],
    special: list[str],
    merges: tuple[str, ...] | None,
    pre: str | None,
) -> Vocabulary:
    size = max(ids) + 1 if ids else 0
    tokens = tuple(ids.get(i, b"") for i in range(size))
    normal = tuple(i in normal_ids for i in range(size))
    return Vocabulary(source, kind, tokens, normal, tuple(sorted(set(special))), merges, pre)


def read_tokenizer_model(path: Path) -> Vocabulary:
    """Read ``tokenizer.model``: a SentencePiece protobuf, or a tiktoken rank file (Llama 3
    ships its BPE ranks under this name)."""
    check_size(path)
    data = path.read_bytes()
    if _TIKTOKEN_LINE.match(data[:256]):
        return read_tiktoken(path, data)
    return _read_sentencepiece(path, data)


def read_tiktoken(path: Path, data: bytes | None = None) -> Vocabulary:
    """Read a tiktoken rank file: one ``base64(token) rank`` per line."""
    if data is None:
        check_size(path)
        data = path.read_bytes()
    ids: dict[int, bytes] = {}
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            if len(parts) != 2:
                raise ValueError
            token, rank = base64.b64decode(parts[0], validate=True), int(parts[1])
        except (ValueError, binascii.Error):
            raise InputError(path, f"line {lineno}: expected 'base64-token rank'") from None
        if not 0 <= rank < MAX_VOCAB:
            raise InputError(path, f"line {lineno}: expected a rank below {MAX_VOCAB}")
        ids[rank] = token
    if not ids:
        raise InputError(path, "expected tiktoken ranks, found none")
    return _from_ids(str(path), "tiktoken", ids, set(ids), [], None, None)


def _varint(path: Path, data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise InputError(
                path, f"byte {pos}: expected a protobuf varint (corrupt SentencePiece model)"
            )
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def _fields(path: Path, data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Walk one protobuf message in ``data[pos:end]`` without a schema, yielding
    (field, wire type, a, b): a varint's value in ``a`` (wire 0), else the value's byte span
    ``data[a:b]``. One-byte keys and lengths, the common case, skip the general decoder."""
    while pos < end:
        key = data[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = _varint(path, data, pos, end)
        field, wire = key >> 3, key & 7
        if wire == 0:
            if pos < end and data[pos] < 0x80:
                yield field, 0, data[pos], pos + 1
                pos += 1
            else:
                value, pos = _varint(path, data, pos, end)
                yield field, 0, value, pos
            continue
        if wire == 2:
            if pos < end and data[pos] < 0x80:
                n, pos = data[pos], pos + 1
            else:
                n, pos = _varint(path, data, pos, end)
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
        else:
            raise InputError(
                path,
                f"byte {pos}: unexpected protobuf wire type {wire} (not a SentencePiece model)",
            )
        if pos + n > end:
            raise InputError(
                path, f"byte {pos}: field {field} runs past the end (truncated SentencePiece model)"
            )
        yield field, wire, pos, pos + n
        pos += n


# SentencePiece piece types: 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte.
_SP_NORMAL: Final = 1
_SP_SPECIAL: Final = (3, 4)
_SP_BYTE: Final = 6


def _looks_special(text: str) -> bool:
    """User-defined pieces include whitespace runs; only bracketed ones are chat markup."""
    return len(text) > 2 and text[0] in "<[" and text[-1] in ">]"


def _piece(path: Path, data: bytes, a: int, b: int) -> tuple[bytes, int]:
    """(piece, type) of one SentencePiece message in ``data[a:b]``. The layout writers emit,
    piece (field 1) then score (field 2, fixed32) then type (field 3), is read directly;
    anything else goes through the general field walker."""
    if b - a >= 2 and data[a] == 0x0A and data[a + 1] < 0x80:
        p = a + 2 + data[a + 1]
        if p <= b:
            piece = data[a + 2 : p]
            if p + 5 <= b and data[p] == 0x15:
                p += 5
            if p == b:
                return piece, _SP_NORMAL
            if p + 2 == b and data[p] == 0x18 and data[p + 1] < 0x80:
                return piece, data[p + 1]
    piece, ptype = b"", _SP_NORMAL
    for f, w, x, y in _fields(path, data, a, b):
        if f == 1 and w == 2:
            piece = data[x:y]
        elif f == 3 and w == 0:
            ptype = x
    return piece, ptype


def _read_sentencepiece(path: Path, data: bytes) -> Vocabulary:
    ids: dict[int, bytes] = {}
    normal: set[int] = set()
    special: list[str] = []
    for field, wire, a, b in _fields(path, data, 0, len(data)):
        if field != 1 or wire != 2:
            continue
        piece, ptype = _piece(path, data, a, b)
        i = len(ids)
        ids[i] = piece_surface(piece)
        if ptype == _SP_NORMAL:
            normal.add(i)
        elif ptype in _SP_SPECIAL and (
            ptype == 3 or _looks_special(piece.decode("utf-8", "replace"))
        ):
            special.append(piece.decode("utf-8", "replace"))
    if not ids:
        raise InputError(path, "expected a SentencePiece model with pieces, found none")
    return _from_ids(str(path), "sentencepiece", ids, normal, special, None, None)


# GGUF token types (llama.cpp): 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte.
def gguf_vocabulary(gguf: GGUFFile) -> Vocabulary | None:
    """The vocabulary embedded in a GGUF file, or None if it has none."""
    tokens = gguf.metadata.get("tokenizer.ggml.tokens")
    if tokens is None:
        return None
    model = gguf.metadata.get("tokenizer.ggml.model")
    if isinstance(tokens, LazyArray):
        raw = list(tokens.iter_bytes())
    elif isinstance(tokens, list):
        raw = [_utf8(str(t)) for t in tokens]
    else:
        raise InputError(gguf.path, "metadata 'tokenizer.ggml.tokens': expected an array")
    types_meta = gguf.metadata.get("tokenizer.ggml.token_type")
    if isinstance(types_meta, LazyArray):
        if types_meta.item_type not in ("int32", "uint32"):
            raise InputError(gguf.path, "metadata 'tokenizer.ggml.token_type': expected int32")
        types = np.frombuffer(types_meta.raw(), dtype=f"{types_meta.byteorder}i4")
    elif isinstance(types_meta, list):
        if not all(
            isinstance(t, int) and not isinstance(t, bool) and 0 <= t < 256 for t in types_meta
        ):
            raise InputError(
                gguf.path, "metadata 'tokenizer.ggml.token_type': expected small integers"
            )
        types = np.array(types_meta, dtype=np.int64)
    else:
        types = np.ones(len(raw), dtype=np.int32)
    if len(types) != len(raw):
        raise InputError(
            gguf.path,
            "metadata 'tokenizer.ggml.token_type': expected one type "
            f"per token ({len(raw)}), found {len(types)}",
        )
    spm = model in ("llama", "t5")
    kind: TokenizerKind = "sentencepiece" if spm else "bpe"
    if spm:
        surfaces = [t.replace(_SPACE_MARK, b" ") for t in raw]
    else:
        surfaces = [byte_level_surface(t.decode("utf-8", "replace")) for t in raw]
    special: list[str] = []
    for i in np.flatnonzero(types != 1).tolist():
        ttype = int(types[i])
        text = raw[i].decode("utf-8", "replace")
        if ttype == _SP_BYTE:
            surfaces[i] = piece_surface(raw[i])
        elif ttype in _SP_SPECIAL and (ttype == 3 or _looks_special(text)):
            special.append(text)
            surfaces[i] = raw[i]
    merges_meta = gguf.metadata.get("tokenizer.ggml.merges")
    merges = (
        tuple(m.decode("utf-8", "replace") for m in merges_meta.iter_bytes())
        if isinstance(merges_meta, LazyArray)
        else None
    )
    pre = gguf.metadata.get("tokenizer.ggml.pre")
    return Vocabulary(
        str(gguf.path),
        kind,
        tuple(surfaces),
        tuple((types == 1).tolist()),
        tuple(dict.fromkeys(special)),
        merges,
        pre if isinstance(pre, str) else None,
    )
