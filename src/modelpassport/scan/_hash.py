"""sha256 of every file, streamed, several files at once.

hashlib releases the GIL while it digests large buffers, so a thread pool hashes files
in parallel on as many cores as there are; each file is read in fixed-size chunks, so
memory stays at ``workers * CHUNK`` whatever the file sizes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[int, str]:
    """(size in bytes, hex sha256) of one file, streamed in ``CHUNK``-sized reads."""
    digest = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    size = 0
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(view[:n])
            size += n
    return size, digest.hexdigest()


def hash_files(
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    on_done: Callable[[Path], None] | None = None,
) -> dict[Path, tuple[int, str] | OSError]:
    """Hash ``paths`` in parallel; returns path -> (size, sha256), or the OSError that
    stopped reading that file (one unreadable file must not lose the others).

    Why: multi-gigabyte checkpoints are split into shards; hashing them one after the
    other leaves all but one core idle.
    """
    count = workers or min(len(paths), os.cpu_count() or 1, 16) or 1

    def one(path: Path) -> tuple[Path, tuple[int, str] | OSError]:
        result: tuple[int, str] | OSError
        try:
            result = sha256_file(path)
        except OSError as exc:
            result = exc
        if on_done is not None:
            on_done(path)
        return path, result

    with ThreadPoolExecutor(max_workers=count) as pool:
        return dict(pool.map(one, paths))
