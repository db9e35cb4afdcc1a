"""The files of a model, as found on disk: never loaded, imported or executed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelpassport.errors import InputError

from ._gguf_split import split_shards

ArtifactKind = Literal["gguf", "hf_dir", "dir", "file"]

# Walking a model folder is bounded: a folder with more files than this is not a model.
MAX_FILES = 20_000


def is_gguf(path: Path) -> bool:
    """A GGUF file by its name or by its magic bytes."""
    if path.suffix.lower() == ".gguf":
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"GGUF"
    except OSError:
        return False


def printable_name(name: str) -> str:
    """A file name as writable text: undecodable bytes (kept by Python as lone surrogates)
    are shown as ``\\xNN`` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class ArtifactSet:
    """A model's files: one GGUF file (every present shard of a split set), one file of any
    other format or archive, or a folder (Hugging Face layout or not).

    ``files`` lists regular files under ``root`` (symlinks included as links, not followed),
    sorted, so every stage sees the same set in the same order.
    """

    root: Path
    kind: ArtifactKind
    files: tuple[Path, ...]

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, '/'-separated, as text that can always be written:
        bytes of a name that are not UTF-8 appear as ``\\xNN`` escapes.

        Why: every writer (JSON, HTML, SARIF, the terminal) needs text; a file name is bytes.
        """
        return printable_name(path.relative_to(self.root).as_posix())

    @property
    def primary(self) -> Path | None:
        """The GGUF file for a GGUF subject, else None."""
        return self.files[0] if self.kind == "gguf" else None

    @classmethod
    def from_path(cls, path: Path) -> ArtifactSet:
        """Describe a file (GGUF by name or magic bytes, or any other) or a model folder;
        fails with one line if it is neither."""
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_file():
            if not is_gguf(path):
                return cls(root=path.parent, kind="file", files=(path,))
            split = split_shards(path)
            shards = split[0] if split is not None else (path,)
            return cls(root=path.parent, kind="gguf", files=shards or (path,))
        if not path.is_dir():
            raise InputError(path, "expected a file or a model folder, found a special file")
        files: list[Path] = []
        for entry in sorted(path.rglob("*")):
            if entry.is_symlink() or entry.is_file():
                files.append(entry)
                if len(files) > MAX_FILES:
                    raise InputError(path, f"holds more than {MAX_FILES} files; not a model folder")
        kind: ArtifactKind = "hf_dir" if (path / "config.json").is_file() else "dir"
        return cls(root=path, kind=kind, files=tuple(files))
