"""A streaming GGUF header reader: metadata, tensor table and chat templates, no weights.

A GGUF file is a header (magic, version, counts), ``metadata_kv_count`` typed key/value pairs,
``tensor_count`` tensor descriptions, padding to ``general.alignment`` and then the tensor data.
The reader walks the header through a read-only memory map and never materialises a large
array: the tokenizer's vocabulary (262k strings for Gemma 3) is skipped by its length prefixes
and kept as a ``LazyArray`` that can be read on demand. Every length and count is checked
against the bytes the file really has, so a corrupt or hostile header fails with one line
instead of allocating what it claims.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TypeAlias

from modelpassport.errors import InputError

from ._rows import read_rows

MAGIC: Final = b"GGUF"
SUPPORTED_VERSIONS: Final = (2, 3)
DEFAULT_ALIGNMENT: Final = 32
# Arrays with more items than this stay on disk as LazyArray handles.
SMALL_ARRAY: Final = 1024
# Sanity bounds far above any real model, far below what would exhaust memory.
MAX_KV: Final = 1_000_000
MAX_TENSORS: Final = 10_000_000
MAX_DIMS: Final = 8
MAX_NESTING: Final = 4
MAX_KEY_BYTES: Final = 65_536

ByteOrder = Literal["<", ">"]

# GGUF metadata value types: id -> (name, struct format or None for string/array).
_STRING: Final = 8
_ARRAY: Final = 9
_SCALARS: Final[dict[int, tuple[str, str]]] = {
    0: ("uint8", "B"),
    1: ("int8", "b"),
    2: ("uint16", "H"),
    3: ("int16", "h"),
    4: ("uint32", "I"),
    5: ("int32", "i"),
    6: ("float32", "f"),
    7: ("bool", "?"),
    10: ("uint64", "Q"),
    11: ("int64", "q"),
    12: ("float64", "d"),
}

# ggml tensor types: id -> (name, elements per block, bytes per block).
GGML_TYPES: Final[dict[int, tuple[str, int, int]]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
}

Scalar: TypeAlias = int | float | bool | str
MetaValue: TypeAlias = "Scalar | list[MetaValue] | LazyArray"


class _Cursor:
    """A bounds-checked position in the mapped file; every read names what it was reading."""

    def __init__(self, path: Path, buf: mmap.mmap | bytes, order: ByteOrder) -> None:
        self.path = path
        self.buf = buf
        self.size = len(buf)
        self.pos = 0
        self.order = order
        # What was read with replacement characters because it was not valid UTF-8.
        self.replaced: list[str] = []

    def fail(self, what: str, expected: str) -> InputError:
        return InputError(self.path, f"{what} at byte {self.pos}: expected {expected}")

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise self.fail(
                what,
                f"{n} more bytes, the file has {self.size - self.pos} (truncated or corrupt GGUF)",
            )

    def unpack(self, fmt: str, what: str) -> int | float | bool:
        size = struct.calcsize(fmt)
        self.need(size, what)
        (value,) = struct.unpack_from(self.order + fmt, self.buf, self.pos)
        self.pos += size
        return value  # type: ignore[no-any-return]

    def u32(self, what: str) -> int:
        return int(self.unpack("I", what))

    def u64(self, what: str) -> int:
        return int(self.unpack("Q", what))

    def raw_string(self, what: str, limit: int | None = None) -> bytes:
        n = self.u64(f"{what} length")
        if limit is not None and n > limit:
            raise self.fail(what, f"a string of at most {limit} bytes, header claims {n}")
        self.need(n, what)
        data = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return data

    def string(self, what: str, limit: int | None = None) -> str:
        data = self.raw_string(what, limit)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # llama.cpp keeps such bytes as they are; one bad byte must not hide the rest.
            self.replaced.append(what)
            return data.decode("utf-8", "replace")

    def skip_strings(self, count: int, what: str) -> None:
        """Step over ``count`` length-prefixed strings without copying them."""
        buf, pos, size = self.buf, self.pos, self.size
        unpack = struct.Struct(self.order + "Q").unpack_from
        for _ in range(count):
            if pos + 8 > size:
                self.pos = pos
                raise self.fail(what, "another string length (truncated GGUF)")
            (n,) = unpack(buf, pos)
            pos += 8 + n
            if pos > size:
                self.pos = pos - n
                raise self.fail(what, f"a string of {n} bytes within the file (corrupt GGUF)")
        self.pos = pos


@dataclass(frozen=True)
class LazyArray:
    """A large metadata array left in the file; ``read`` materialises it when really needed.

    Keeping the vocabulary on disk is what makes reading a GGUF header take milliseconds
    instead of seconds; consumers that need tokens (fingerprints) ask for them explicitly.
    """

    path: Path
    key: str
    item_type: str
    count: int
    offset: int
    nbytes: int
    byteorder: ByteOrder = "<"

    def raw(self) -> bytes:
        """The array's bytes exactly as stored (item encoding as in the file)."""
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read(self.nbytes)
        if len(data) != self.nbytes:
            raise InputError(self.path, f"metadata '{self.key}': file changed while reading")
        return data

    def iter_bytes(self) -> Iterator[bytes]:
        """Each string item as raw bytes (for hashing: no decoding, no replacement)."""
        if self.item_type != "string":
            raise InputError(
                self.path, f"metadata '{self.key}': expected a string array, found {self.item_type}"
            )
        data = self.raw()
        unpack = struct.Struct(self.byteorder + "Q").unpack_from
        pos = 0
        for _ in range(self.count):
            (n,) = unpack(data, pos)
            pos += 8
            yield data[pos : pos + n]
            pos += n

    def read(self) -> list[Scalar]:
        """All items as Python values (strings decoded as UTF-8, invalid bytes replaced)."""
        if self.item_type == "string":
            return [item.decode("utf-8", "replace") for item in self.iter_bytes()]
        fmt = _format_of(self.item_type)
        data = self.raw()
        return list(struct.unpack(f"{self.byteorder}{self.count}{fmt}", data))


def _format_of(item_type: str) -> str:
    for name, fmt in _SCALARS.values():
        if name == item_type:
            return fmt
    raise ValueError(f"not a scalar GGUF type: {item_type}")


@dataclass(frozen=True)
class GGUFTensor:
    """One tensor's description. ``shape`` is in ggml order: the fastest-varying dim first
    (``token_embd.weight`` is ``(n_embd, n_vocab)``); ``offset`` is absolute in the file."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    # The file holding the data (a split set's tensors lie in several files).
    path: Path | None = None

    @property
    def type_name(self) -> str:
        """The ggml type's name, e.g. ``Q4_K``; ``type<N>`` for types this reader does not know."""
        known = GGML_TYPES.get(self.ggml_type)
        return known[0] if known else f"type{self.ggml_type}"

    @property
    def n_elements(self) -> int:
        """How many values the tensor holds."""
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def row_bytes(self) -> int | None:
        """Bytes of one row (``shape[0]`` values), None for an unknown type or ragged blocks."""
        known = GGML_TYPES.get(self.ggml_type)
        if known is None or not self.shape:
            return None
        _, block, size = known
        if self.shape[0] % block:
            return None
        return self.shape[0] // block * size

    @property
    def nbytes(self) -> int | None:
        """Bytes of the whole tensor, None when its type is unknown."""
        row = self.row_bytes
        return None if row is None else row * (self.n_elements // max(self.shape[0], 1))


@dataclass(frozen=True)
class GGUFFile:
    """A parsed GGUF header. Nothing here holds the file open.

    ``truncated`` says why the tensor data is incomplete (an interrupted download): the
    header is still read in full. ``not_utf8`` names strings read with replacement
    characters.
    """

    path: Path
    version: int
    byteorder: ByteOrder
    metadata: dict[str, MetaValue]
    tensors: tuple[GGUFTensor, ...]
    data_offset: int
    file_size: int
    truncated: str | None = None
    not_utf8: tuple[str, ...] = ()

    @property
    def architecture(self) -> str | None:
        """``general.architecture`` (e.g. ``llama``, ``gemma3``), None if absent."""
        value = self.metadata.get("general.architecture")
        return value if isinstance(value, str) else None

    def arch_value(self, suffix: str) -> MetaValue | None:
        """The architecture-scoped key ``<arch>.<suffix>`` (e.g. ``context_length``)."""
        arch = self.architecture
        return None if arch is None else self.metadata.get(f"{arch}.{suffix}")

    def chat_templates(self) -> dict[str, str]:
        """Every chat template: ``default`` for ``tokenizer.chat_template``, NAME for
        ``tokenizer.chat_template.NAME``. Scanners must see all of them, not only the default."""
        out: dict[str, str] = {}
        for key, value in self.metadata.items():
            if not isinstance(value, str):
                continue
            if key == "tokenizer.chat_template":
                out["default"] = value
            elif key.startswith("tokenizer.chat_template."):
                out[key.removeprefix("tokenizer.chat_template.")] = value
        return dict(sorted(out.items()))

    def tensor(self, name: str) -> GGUFTensor | None:
        """The tensor called ``name``, or None."""
        for t in self.tensors:
            if t.name == name:
                return t
        return None

    def read_rows(self, tensor: GGUFTensor, rows: list[int]) -> list[bytes]:
        """Raw bytes of selected rows (e.g. a sample of token embeddings), read one by one so
        memory stays bounded however large the tensor."""
        row_bytes = tensor.row_bytes
        if row_bytes is None:
            raise InputError(
                self.path,
                f"tensor '{tensor.name}': rows of type {tensor.type_name} cannot be addressed",
            )
        n_rows = tensor.n_elements // max(tensor.shape[0], 1)
        where = tensor.path or self.path
        return read_rows(where, tensor.name, tensor.offset, row_bytes, n_rows, rows)


def read_gguf(path: Path) -> GGUFFile:
    """Parse a GGUF file's header without reading weights or materialising large arrays.

    Raises:
        InputError: not a GGUF file, unsupported version, or a truncated/corrupt header.
    """
    try:
        size = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(path, f"cannot read GGUF file ({exc.strerror})") from None
    with fh:
        if size < 24:
            raise InputError(path, f"expected a GGUF file, found only {size} bytes")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(path, buf)


def _parse(path: Path, buf: mmap.mmap) -> GGUFFile:
    if buf[:4] != MAGIC:
        raise InputError(path, f"expected GGUF magic bytes 'GGUF', found {bytes(buf[:4])!r}")
    (version,) = struct.unpack_from("<I", buf, 4)
    order: ByteOrder = "<"
    if version & 0xFFFF == 0 and version != 0:
        (version,) = struct.unpack_from(">I", buf, 4)
        order = ">"
    if version not in SUPPORTED_VERSIONS:
        raise InputError(path, f"expected GGUF version 2 or 3, found {version}")
    cur = _Cursor(path, buf, order)
    cur.pos = 8
    n_tensors = cur.u64("tensor count")
    n_kv = cur.u64("metadata count")
    if n_kv > MAX_KV or n_kv * 13 > cur.size:
        raise cur.fail("metadata count", f"a plausible key count, header claims {n_kv}")
    if n_tensors > MAX_TENSORS or n_tensors * 24 > cur.size:
        raise cur.fail("tensor count", f"a plausible tensor count, header claims {n_tensors}")
    metadata: dict[str, MetaValue] = {}
    for i in range(n_kv):
        key = cur.string(f"metadata key #{i}", MAX_KEY_BYTES)
        vtype = cur.u32(f"metadata '{key}' type")
        metadata[key] = _value(cur, key, vtype, 0)
    infos = [_tensor_info(cur, i) for i in range(n_tensors)]
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if (
        not isinstance(alignment, int)
        or isinstance(alignment, bool)
        or alignment <= 0
        or (alignment & (alignment - 1))
    ):
        raise InputError(
            path, f"metadata 'general.alignment': expected a power of two, found {alignment!r}"
        )
    data_offset = -(-cur.pos // alignment) * alignment
    tensors = tuple(
        GGUFTensor(name, shape, gtype, data_offset + rel, path) for name, shape, gtype, rel in infos
    )
    truncated = next(
        (
            f"tensor '{t.name}': data lies past the end of the file ({cur.size} bytes)"
            for t in tensors
            if t.offset > cur.size or (t.nbytes is not None and t.offset + t.nbytes > cur.size)
        ),
        None,
    )
    return GGUFFile(
        path,
        version,
        order,
        metadata,
        tensors,
        data_offset,
        cur.size,
        truncated=truncated,
        not_utf8=tuple(cur.replaced),
    )


def _value(cur: _Cursor, key: str, vtype: int, depth: int) -> MetaValue:
    if vtype in _SCALARS:
        return cur.unpack(_SCALARS[vtype][1], f"metadata '{key}'")
    if vtype == _STRING:
        return cur.string(f"metadata '{key}'")
    if vtype == _ARRAY:
        if depth >= MAX_NESTING:
            raise cur.fail(f"metadata '{key}'", f"arrays nested at most {MAX_NESTING} deep")
        return _array(cur, key, depth)
    raise cur.fail(f"metadata '{key}' type", f"a GGUF value type 0-12, found {vtype}")


def _array(cur: _Cursor, key: str, depth: int) -> MetaValue:
    itype = cur.u32(f"metadata '{key}' item type")
    count = cur.u64(f"metadata '{key}' item count")
    start = cur.pos
    if itype in _SCALARS:
        name, fmt = _SCALARS[itype]
        nbytes = count * struct.calcsize(fmt)
        cur.need(nbytes, f"metadata '{key}' ({count} x {name})")
        if count > SMALL_ARRAY:
            cur.pos += nbytes
            return LazyArray(cur.path, key, name, count, start, nbytes, cur.order)
        values = struct.unpack_from(f"{cur.order}{count}{fmt}", cur.buf, start)
        cur.pos += nbytes
        return list(values)
    if itype == _STRING:
        cur.need(count * 8, f"metadata '{key}' ({count} strings)")
        if count > SMALL_ARRAY:
            cur.skip_strings(count, f"metadata '{key}'")
            return LazyArray(cur.path, key, "string", count, start, cur.pos - start, cur.order)
        return [cur.string(f"metadata '{key}'[{i}]") for i in range(count)]
    if itype == _ARRAY:
        if depth + 1 >= MAX_NESTING:
            raise cur.fail(f"metadata '{key}'", f"arrays nested at most {MAX_NESTING} deep")
        cur.need(count * 12, f"metadata '{key}' ({count} arrays)")
        return [_array(cur, key, depth + 1) for _ in range(count)]
    raise cur.fail(f"metadata '{key}' item type", f"a GGUF value type 0-12, found {itype}")


def _tensor_info(cur: _Cursor, i: int) -> tuple[str, tuple[int, ...], int, int]:
    name = cur.string(f"tensor #{i} name", MAX_KEY_BYTES)
    n_dims = cur.u32(f"tensor '{name}' dimension count")
    if n_dims > MAX_DIMS:
        raise cur.fail(f"tensor '{name}'", f"at most {MAX_DIMS} dimensions, found {n_dims}")
    shape = tuple(cur.u64(f"tensor '{name}' dimension") for _ in range(n_dims))
    gtype = cur.u32(f"tensor '{name}' type")
    offset = cur.u64(f"tensor '{name}' offset")
    return name, shape, gtype, offset


def file_type_name(ftype: int) -> str | None:
    """The llama.cpp name of ``general.file_type`` (e.g. 15 -> ``Q4_K_M``), None if unknown."""
    return _FILE_TYPES.get(ftype)


_FILE_TYPES: Final[dict[int, str]] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
}
