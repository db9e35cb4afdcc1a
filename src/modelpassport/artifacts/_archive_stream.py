"""Compressed single-stream files (gzip, bz2, xz/lzma, zlib), opened for reading in bounded
form.

joblib and hand-rolled checkpoints often compress the pickle as a whole. The pickle inside
is what runs on load, so it is walked like an uncompressed one; decompression stops after
``MAX_DECOMPRESSED`` bytes so a small bomb cannot keep the scan busy.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import IO

MAX_DECOMPRESSED = 4 << 30
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


class _Zlib(io.RawIOBase):
    """A raw zlib stream (joblib's ``compress='zlib'``) as a readable file."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._inflate = zlib.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._source.close()
        super().close()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._inflate.eof:
            chunk = self._source.read(1 << 16)
            if not chunk:
                break
            self._pending = self._inflate.decompress(chunk, 1 << 20)
            while self._inflate.unconsumed_tail and len(self._pending) < 1 << 20:
                self._pending += self._inflate.decompress(self._inflate.unconsumed_tail, 1 << 20)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _Bounded(io.RawIOBase):
    """Ends the stream after ``limit`` bytes and remembers that it did."""

    def __init__(self, inner: io.BufferedIOBase, limit: int) -> None:
        self._inner = inner
        self._left = limit
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            self.truncated = self._inner.read(1) != b""
            return 0
        data = self._inner.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def compression_of(head: bytes) -> str | None:
    """gzip, bz2, xz, lzma or zlib from a file's first bytes; None when not compressed."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x5d\x00\x00"):
        return "lzma"
    if head[:2] in _ZLIB_HEADERS:
        return "zlib"
    return None


def open_decompressed(path: Path, kind: str) -> tuple[io.BufferedReader, _Bounded]:
    """The decompressed content of ``path`` as a buffered reader (supports ``peek``), and
    the bound that says whether ``MAX_DECOMPRESSED`` cut it short."""
    # The readers are returned open; the caller closes them (closing the bound closes all).
    inner: io.BufferedIOBase
    if kind == "gzip":
        inner = gzip.GzipFile(path, "rb")
    elif kind == "bz2":
        inner = bz2.BZ2File(path, "rb")
    elif kind in ("xz", "lzma"):
        inner = lzma.LZMAFile(path, "rb")  # noqa: SIM115 - closed by the caller
    else:
        inner = io.BufferedReader(_Zlib(path.open("rb")))
    bounded = _Bounded(inner, MAX_DECOMPRESSED)
    return io.BufferedReader(bounded, 1 << 20), bounded
