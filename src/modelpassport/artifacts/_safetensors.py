"""safetensors headers: tensor names, dtypes, shapes and offsets, sharded or not.

A safetensors file is an 8-byte little-endian header length, a JSON header and raw tensor
data. Only the header is parsed here (bounded in size and checked against the file), and rows
of a tensor can be read on demand for weight lineage; nothing is ever executed.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from modelpassport.errors import InputError

from ._json import load_json
from ._rows import read_rows

# The format's own limit on the header size.
MAX_HEADER: Final = 100 * 1024 * 1024
MAX_INDEX: Final = 64 * 1024 * 1024
# Bits per element of every safetensors dtype (the sub-byte float formats included).
DTYPE_BITS: Final[dict[str, int]] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E4M3": 8,
    "F8_E5M2": 8,
    "F8_E8M0": 8,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "I64": 64,
    "U64": 64,
    "F64": 64,
    "C64": 64,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
}


@dataclass(frozen=True)
class SafetensorsTensor:
    """One tensor: ``offset`` is absolute in the file, ``nbytes`` its data length."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    offset: int
    nbytes: int

    @property
    def n_elements(self) -> int:
        """How many values the tensor holds."""
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class SafetensorsFile:
    """A parsed safetensors header."""

    path: Path
    tensors: tuple[SafetensorsTensor, ...]
    metadata: dict[str, str]

    def tensor(self, name: str) -> SafetensorsTensor | None:
        """The tensor called ``name``, or None."""
        return next((t for t in self.tensors if t.name == name), None)

    def read_rows(self, tensor: SafetensorsTensor, rows: list[int]) -> list[bytes]:
        """Raw bytes of selected rows of a 2-D tensor, read one by one (bounded memory)."""
        if len(tensor.shape) != 2:
            raise InputError(self.path, f"tensor '{tensor.name}': expected 2 dimensions")
        n_rows, width = tensor.shape
        if DTYPE_BITS[tensor.dtype] % 8:
            raise InputError(
                self.path, f"tensor '{tensor.name}': {tensor.dtype} rows not byte-sized"
            )
        row_bytes = width * DTYPE_BITS[tensor.dtype] // 8
        return read_rows(self.path, tensor.name, tensor.offset, row_bytes, n_rows, rows)


def read_safetensors_header(path: Path) -> tuple[dict[str, Any], int, int]:
    """The JSON header object, where the data area starts, and its size in bytes.

    Raises:
        InputError: truncated file, oversized or malformed header.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise InputError(path, "expected an 8-byte safetensors header length")
            (n,) = struct.unpack("<Q", head)
            if n > MAX_HEADER or n > size - 8:
                raise InputError(
                    path,
                    f"header claims {n} bytes; expected at most "
                    f"{min(MAX_HEADER, max(size - 8, 0))} (truncated or corrupt)",
                )
            raw = fh.read(n)
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    header = load_json(raw, path, "a JSON safetensors header")
    if not isinstance(header, dict):
        raise InputError(path, "expected the safetensors header to be a JSON object")
    return header, 8 + n, size - 8 - n


def safetensors_tensor_problem(entry: Any, data_size: int) -> str | None:
    """What is wrong with one header entry (dtype, shape, offsets, size), or None.

    Shared by the reader, which refuses such a file, and the scan, which reports every
    problem as a finding.
    """
    if not isinstance(entry, dict):
        return "entry is not an object"
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        return f"unknown dtype {dtype!r}"
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        return f"shape {shape!r} is not a list of non-negative integers"
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) for o in offsets)
    ):
        return f"data_offsets {offsets!r} is not a pair of integers"
    begin, end = offsets
    if not 0 <= begin <= end:
        return f"data_offsets [{begin}, {end}] are not ordered"
    if end > data_size:
        return f"data_offsets end {end} lies past the data area ({data_size} bytes)"
    bits = math.prod(shape) * DTYPE_BITS[dtype]
    if bits != (end - begin) * 8:
        return f"{dtype} {shape} needs {bits / 8:g} bytes, offsets give {end - begin}"
    return None


def read_safetensors(path: Path) -> SafetensorsFile:
    """Parse a safetensors header, checking every tensor lies inside the file.

    Raises:
        InputError: truncated file, oversized or malformed header, inconsistent offsets.
    """
    header, data_start, data_size = read_safetensors_header(path)
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict):
        raise InputError(path, "__metadata__: expected an object of strings")
    tensors = []
    for name, entry in header.items():
        problem = safetensors_tensor_problem(entry, data_size)
        if problem is not None:
            raise InputError(path, f"tensor '{name}': {problem}")
        begin, end = entry["data_offsets"]
        tensors.append(
            SafetensorsTensor(
                name, entry["dtype"], tuple(entry["shape"]), data_start + begin, end - begin
            )
        )
    tensors.sort(key=lambda t: t.name)
    return SafetensorsFile(path, tuple(tensors), {str(k): str(v) for k, v in meta.items()})


def read_safetensors_index(path: Path) -> dict[str, str]:
    """``model.safetensors.index.json``'s weight map: tensor name -> shard file name."""
    if path.stat().st_size > MAX_INDEX:
        raise InputError(path, f"expected an index of at most {MAX_INDEX // 2**20} MiB")
    doc = load_json(path.read_bytes(), path, "a JSON safetensors index")
    wmap = doc.get("weight_map") if isinstance(doc, dict) else None
    if not isinstance(wmap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in wmap.items()
    ):
        raise InputError(path, "weight_map: expected an object of tensor name -> file name")
    for shard in set(wmap.values()):
        if "/" in shard or "\\" in shard or shard.startswith("."):
            raise InputError(path, f"weight_map: shard {shard!r} must be a plain file name")
    return dict(wmap)
