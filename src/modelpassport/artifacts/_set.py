"""The files of a model, as found on disk: never loaded, imported or executed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelpassport.errors import InputError

ArtifactKind = Literal["gguf", "hf_dir", "dir"]

# Walking a model folder is bounded: a folder with more files than this is not a model.
MAX_FILES = 20_000


@dataclass(frozen=True)
class ArtifactSet:
    """A model's files: one GGUF file, or a folder (Hugging Face layout or not).

    ``files`` lists regular files under ``root`` (symlinks included as links, not followed),
    sorted, so every stage sees the same set in the same order.
    """

    root: Path
    kind: ArtifactKind
    files: tuple[Path, ...]

    @property
    def primary(self) -> Path | None:
        """The GGUF file for a GGUF subject, else None."""
        return self.files[0] if self.kind == "gguf" else None

    @classmethod
    def from_path(cls, path: Path) -> ArtifactSet:
        """Describe a GGUF file or a model folder; fails with one line if it is neither."""
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_file():
            if path.suffix.lower() != ".gguf":
                raise InputError(path, "expected a .gguf file or a model folder")
            return cls(root=path.parent, kind="gguf", files=(path,))
        files: list[Path] = []
        for entry in sorted(path.rglob("*")):
            if entry.is_symlink() or entry.is_file():
                files.append(entry)
                if len(files) > MAX_FILES:
                    raise InputError(path, f"holds more than {MAX_FILES} files; not a model folder")
        kind: ArtifactKind = "hf_dir" if (path / "config.json").is_file() else "dir"
        return cls(root=path, kind=kind, files=tuple(files))
