"""What a file is, from its bytes: the name only breaks ties.

A loader reads bytes, not names (``torch.load`` unpickles a file called ``x.safetensors``
as readily as one called ``x.pt``), so the scan must judge what the bytes are. The name is
used where the bytes carry no magic (ONNX, protocol 0/1 pickles, zlib), and a name that
claims one known format over the bytes of another is itself a finding.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from modelpassport.artifacts import ARCHIVE_ERRORS, compression_of, open_decompressed
from modelpassport.passport.sections.scan import ScanFinding

from ._formats import check_archive, check_h5, check_keras, check_onnx, check_safetensors
from ._pickles import scan_npy, scan_npz, scan_raw_pickle, scan_torch
from ._rules import RuleBook

Checker = Callable[[RuleBook, Path, str], list[ScanFinding]]
_HEAD = 512
_TORCH = (".pt", ".pth", ".ckpt", ".bin", ".mar", ".model")
_PICKLE = (".pkl", ".pickle", ".joblib", ".dill", ".sav")
_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma", ".z")
_ARCHIVES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".tbz2", ".txz")
# Suffixes that name exactly one format (and the byte-level kind that format has).
_CLAIMS = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".npy": "npy",
    ".npz": "zip",
    ".keras": "zip",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".onnx": "onnx",
    ".pkl": "pickle",
    ".pickle": "pickle",
}


@dataclass(frozen=True)
class Kind:
    """How a file is read: the format recorded in the passport, the checker (None: nothing
    to check beyond the hash; ``gguf``: read by the stage), and a name that lies."""

    format: str
    checker: Checker | None
    disguised: str | None = None


def _magic(head: bytes, size: int) -> str | None:
    """The byte-level kind: gguf, npy, hdf5, zip, pickle, compressed, tar, safetensors."""
    for magic, kind in (
        (b"GGUF", "gguf"),
        (b"\x93NUMPY", "npy"),
        (b"\x89HDF\r\n\x1a\n", "hdf5"),
        (b"PK\x03\x04", "zip"),
        (b"PK\x05\x06", "zip"),
    ):
        if head.startswith(magic):
            return kind
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    if compression_of(head[:6]) in ("gzip", "bz2", "xz"):
        return "compressed"
    if head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < size:
        return "safetensors"
    return None


def _zip_kind(path: Path, suffix: str) -> Kind:
    if suffix == ".keras":
        return Kind("keras", check_keras)
    if suffix == ".npz":
        return Kind("npz", scan_npz)
    try:
        with zipfile.ZipFile(path) as zf:
            torch = any(n == "data.pkl" or n.endswith("/data.pkl") for n in zf.namelist())
    except ARCHIVE_ERRORS:
        torch = suffix in _TORCH
    return Kind("pytorch", scan_torch) if torch else Kind("archive", check_archive)


def _compressed_pickle(path: Path, head: bytes) -> bool:
    kind = compression_of(head[:6])
    if kind is None:
        return False
    reader, _ = open_decompressed(path, kind)
    try:
        with reader:
            inner = reader.peek(2)[:2]
    except ARCHIVE_ERRORS:
        return False
    return len(inner) == 2 and inner[0] == 0x80 and 2 <= inner[1] <= 5


def _by_magic(path: Path, magic: str, head: bytes) -> Kind:
    suffix = path.suffix.lower()
    if magic == "zip":
        return _zip_kind(path, suffix)
    if magic == "pickle":
        return Kind("pytorch", scan_torch) if suffix in _TORCH else Kind("pickle", scan_raw_pickle)
    if magic == "compressed":
        if _compressed_pickle(path, head):
            return Kind("pickle", scan_raw_pickle)
        return Kind("archive", check_archive)
    checkers: dict[str, Checker | None] = {
        "gguf": None,
        "npy": scan_npy,
        "hdf5": check_h5,
        "tar": check_archive,
        "safetensors": check_safetensors,
    }
    return Kind("archive" if magic == "tar" else magic, checkers[magic])


def _by_name(path: Path) -> Kind:
    name, suffix = path.name.lower(), path.suffix.lower()
    named: dict[str, tuple[str, Checker | None]] = {
        ".safetensors": ("safetensors", check_safetensors),
        ".gguf": ("gguf", None),
        ".npy": ("npy", scan_npy),
        ".npz": ("npz", scan_npz),
        ".keras": ("keras", check_keras),
        ".h5": ("hdf5", check_h5),
        ".hdf5": ("hdf5", check_h5),
        ".onnx": ("onnx", check_onnx),
    }
    if suffix in named:
        return Kind(*named[suffix])
    if suffix in _PICKLE or name.endswith(tuple(p + c for p in _PICKLE for c in _COMPRESSED)):
        return Kind("pickle", scan_raw_pickle)
    if suffix in _ARCHIVES or name.endswith((".tar.gz", ".tar.bz2", ".tar.xz")):
        return Kind("archive", check_archive)
    return Kind(suffix.lstrip(".") or "other", None)


def classify(path: Path) -> Kind:
    """How to read ``path``: by its magic bytes when it has them, else by its name.

    Why: the bytes are what a loader reads; a pickle renamed ``.safetensors`` must be
    judged as the pickle it is, and the renaming reported.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    magic = _magic(head, size)
    if magic is None:
        return _by_name(path)
    kind = _by_magic(path, magic, head)
    claim = _CLAIMS.get(path.suffix.lower())
    compressed_pickle = claim == "pickle" and kind.format == "pickle"
    if claim is not None and claim != magic and not compressed_pickle:
        return Kind(kind.format, kind.checker, disguised=claim)
    return kind
