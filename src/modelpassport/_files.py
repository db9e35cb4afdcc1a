"""Writing output files safely: each one atomically, the output folder by one audit at a time.

Every writer (passport, report, SARIF, BOM, signature, comparison) goes through
``write_atomic``: the content is written to a temporary file with a unique name beside the
target and renamed over it, so a reader sees the old file or the new one, never a mix, and
two writers never share a temporary file. ``locked_output`` keeps a second audit out of a
folder an audit is writing to.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import tomllib
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from modelpassport.errors import InputError, ModelPassportError

ModelT = TypeVar("ModelT", bound=BaseModel)

LOCK_NAME = ".modelpassport.lock"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a uniquely named temporary file.

    Why: a fixed temporary name lets two writers interleave, and a plain write leaves a
    truncated file behind a crash; a rename is all-or-nothing on POSIX file systems.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked_output(folder: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; refuse at once when another holds it.

    Raises:
        ModelPassportError: another audit is writing to ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelPassportError(
                f"{folder}: another audit is writing to this folder; wait for it to finish "
                "or choose another --out"
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def read_toml_as(path: Path | Traversable, model: type[ModelT], what: str) -> ModelT:
    """Read a TOML data file into a pydantic model; any problem is one InputError naming the
    file and, for a bad value, the field (the shared reader of the project's data files)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"expected a readable TOML {what} ({exc})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path}: {field}", f"expected {first['msg'].lower()}") from None
