"""Archive members and links, listed without extracting anything.

Extraction is where path tricks bite: a member named ``../../.bashrc`` or ``/etc/cron.d/x``,
or a link member pointing out of the folder, writes wherever its author likes. Listing the
members of zip and tar archives (and the symlinks of a folder) is enough to see them.
"""

from __future__ import annotations

import lzma
import os
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from modelpassport.errors import InputError

MAX_MEMBERS = 100_000
# What zipfile and tarfile raise on corrupt input (bad headers, bad CRC, bad compression).
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    struct.error,
    lzma.LZMAError,
)


@dataclass(frozen=True)
class ArchiveMember:
    """A member as the archive names it; ``link`` is the target of a link member."""

    name: str
    size: int
    link: str | None = None


def escapes(name: str) -> bool:
    """True when extracting ``name`` under a folder would land outside it."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    depth = 0
    for part in PurePosixPath(normal).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def list_archive(path: Path) -> list[ArchiveMember]:
    """Members of a zip or tar archive (any compression tarfile reads), in archive order.

    Raises:
        InputError: not a readable archive, or more than ``MAX_MEMBERS`` members.
    """
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
                _check_count(path, len(infos))
                return [ArchiveMember(i.filename, i.file_size, _zip_link(zf, i)) for i in infos]
        with tarfile.open(path) as tf:
            members: list[ArchiveMember] = []
            for info in tf:
                members.append(
                    ArchiveMember(
                        info.name,
                        info.size,
                        info.linkname if info.issym() or info.islnk() else None,
                    )
                )
                _check_count(path, len(members))
            return members
    except ARCHIVE_ERRORS as exc:
        raise InputError(path, f"expected a readable zip or tar archive ({exc})") from None


def _zip_link(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    # Unix symlinks in zips carry S_IFLNK in the high external attributes; target = data.
    if (info.external_attr >> 16) & 0o170000 != 0o120000 or info.file_size > 4096:
        return None
    return zf.read(info).decode("utf-8", "replace")


def _check_count(path: Path, count: int) -> None:
    if count > MAX_MEMBERS:
        raise InputError(path, f"holds more than {MAX_MEMBERS} members; not a model archive")


def link_escapes(link: str, member: str) -> bool:
    """True when a link member named ``member`` pointing to ``link`` leaves the archive root."""
    if link.startswith("/"):
        return True
    return escapes(str(PurePosixPath(member).parent / link))


def symlink_target(path: Path, root: Path) -> tuple[str, bool]:
    """Where the symlink ``path`` points, and whether that is inside ``root``.

    A Hugging Face cache snapshot links every file into the repository's ``blobs/``
    folder; those links count as inside.
    """
    target = os.readlink(path)
    # realpath, unlike Path.resolve, ends a symlink loop instead of raising.
    resolved = Path(os.path.realpath(path.parent / target))
    allowed = [root.resolve()]
    snapshot = root.resolve()
    if snapshot.parent.name == "snapshots":
        allowed.append(snapshot.parent.parent / "blobs")
    inside = any(resolved == base or base in resolved.parents for base in allowed)
    return target, inside
