"""Judge pickle-bearing files: raw pickles, PyTorch checkpoints, ``.npy``/``.npz``.

Every import a pickle performs is compared with the allowlist; anything else is a finding
that names the callable. Nothing is unpickled.
"""

from __future__ import annotations

import ast
import struct
import zipfile
from pathlib import Path
from typing import IO

from modelpassport.artifacts import (
    ARCHIVE_ERRORS,
    MAX_DECOMPRESSED,
    PickleWalk,
    compression_of,
    open_decompressed,
    read_torch_checkpoint,
    walk_pickle,
    walk_pickles,
)
from modelpassport.errors import InputError
from modelpassport.passport.sections.scan import ScanFinding

from ._rules import RuleBook

NPY_MAGIC = b"\x93NUMPY"
MAX_NPY_HEADER = 1 << 16
MAX_NPZ_MEMBERS = 10_000


def judge_walk(book: RuleBook, walk: PickleWalk, file: str, where: str = "") -> list[ScanFinding]:
    """Findings for one walked pickle stream: imports off the allowlist, dynamic imports,
    extension opcodes, and a malformed stream."""
    prefix = f"{where} " if where else ""
    findings: list[ScanFinding] = []
    seen: set[tuple[str, str]] = set()
    for imp in walk.imports:
        key = (imp.ref.module, imp.ref.name)
        if book.allowlist.allows(*key) or key in seen:
            continue
        seen.add(key)
        name = imp.ref.qualname
        if book.allowlist.is_dangerous(*key):
            findings.append(
                book.finding(
                    "MP-PKL-002",
                    file,
                    f"pickle imports {name}, which can run code when loaded",
                    location=f"{prefix}offset {imp.offset}",
                    evidence=f"{imp.opcode} {name}",
                )
            )
        else:
            findings.append(
                book.finding(
                    "MP-PKL-001",
                    file,
                    f"pickle imports {name}, which is not on the allowlist",
                    location=f"{prefix}offset {imp.offset}",
                    evidence=f"{imp.opcode} {name}",
                )
            )
    for offset in walk.dynamic_imports:
        findings.append(
            book.finding(
                "MP-PKL-003",
                file,
                "pickle imports a callable whose name is computed at load time",
                location=f"{prefix}offset {offset}",
                evidence="STACK_GLOBAL on non-constant operands",
            )
        )
    for offset, code in walk.extensions:
        findings.append(
            book.finding(
                "MP-PKL-004",
                file,
                f"pickle imports extension-registry entry {code}",
                location=f"{prefix}offset {offset}",
                evidence=f"EXT code {code}",
            )
        )
    if walk.error is not None and walk.at_limit:
        findings.append(
            book.unread(
                file,
                "pickle stream past the walker's limits",
                location=prefix.strip(),
                evidence=walk.error,
            )
        )
    elif walk.error is not None:
        findings.append(
            book.finding(
                "MP-PKL-005",
                file,
                "pickle stream is malformed; what follows the error could not be read, "
                "so it cannot be shown safe",
                location=prefix.strip(),
                evidence=walk.error,
            )
        )
    return findings


def _pickle_note(book: RuleBook, file: str, streams: int, imports: int) -> ScanFinding:
    return book.finding(
        "MP-PKL-006", file, f"pickle format: {streams} stream(s), {imports} import(s) checked"
    )


def scan_torch(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A ``torch.save`` file (zip or legacy) or any raw pickle: judge every stream."""
    checkpoint = read_torch_checkpoint(path)
    findings: list[ScanFinding] = []
    for where, walk in checkpoint.pickles:
        label = where if checkpoint.layout == "zip" or len(checkpoint.pickles) > 1 else ""
        findings.extend(judge_walk(book, walk, file, label))
    imports = sum(len(w.imports) for _, w in checkpoint.pickles)
    findings.append(_pickle_note(book, file, len(checkpoint.pickles), imports))
    return findings


def scan_raw_pickle(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A plain pickle file (``.pkl``, ``.joblib``), compressed as a whole or not: every
    consecutive stream is judged."""
    with path.open("rb") as fh:
        kind = compression_of(fh.read(6))
    findings: list[ScanFinding] = []
    if kind is None:
        with path.open("rb") as fh:
            walks = walk_pickles(fh)
    else:
        reader, bound = open_decompressed(path, kind)
        try:
            with reader:
                walks = walk_pickles(reader)
        except ARCHIVE_ERRORS as exc:
            raise InputError(path, f"expected {kind}-compressed data ({exc})") from None
        if bound.truncated:
            findings.append(
                book.unread(
                    file,
                    f"{kind} content larger than the decompression limit",
                    evidence=f"stopped after {MAX_DECOMPRESSED} bytes",
                )
            )
    for i, walk in enumerate(walks):
        where = f"stream {i}" if len(walks) > 1 else ""
        if kind is not None:
            where = f"{kind} {where}".strip()
        findings.extend(judge_walk(book, walk, file, where))
    findings.append(_pickle_note(book, file, len(walks), sum(len(w.imports) for w in walks)))
    return findings


def npy_header(head: bytes, where: str) -> tuple[dict[str, object], int]:
    """Parse a ``.npy`` header (a Python literal, read with ``ast.literal_eval``).

    Returns the header dict and the offset where the array data starts.
    """
    if not head.startswith(NPY_MAGIC) or len(head) < 10:
        raise InputError(where, "expected the .npy magic \\x93NUMPY")
    major = head[6]
    if major == 1:
        (length,), start = struct.unpack("<H", head[8:10]), 10
    elif major in (2, 3) and len(head) >= 12:
        (length,), start = struct.unpack("<I", head[8:12]), 12
    else:
        raise InputError(where, f"unsupported .npy format version {major}")
    if length > MAX_NPY_HEADER or start + length > len(head):
        raise InputError(where, f"expected a .npy header under {MAX_NPY_HEADER} bytes")
    text = head[start : start + length].decode("latin-1")
    try:
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InputError(where, "expected a .npy header dict literal") from None
    if not isinstance(header, dict) or "descr" not in header:
        raise InputError(where, "expected a .npy header dict with 'descr'")
    return header, start + length


def _has_object_dtype(descr: object) -> bool:
    if isinstance(descr, str):
        return descr.lstrip("<>|=") == "O"
    if isinstance(descr, list | tuple):
        return any(_has_object_dtype(part) for part in descr)
    return False


def _scan_npy_stream(book: RuleBook, stream: IO[bytes], file: str, where: str) -> list[ScanFinding]:
    head = stream.read(12 + MAX_NPY_HEADER)
    header, start = npy_header(head, f"{file}{':' + where if where else ''}")
    if not _has_object_dtype(header["descr"]):
        return []
    stream.seek(start)
    walk = walk_pickle(stream)
    label = f"{where} object array" if where else "object array"
    return [*judge_walk(book, walk, file, label), _pickle_note(book, file, 1, len(walk.imports))]


def scan_npy(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A ``.npy`` file: an object array is a pickle after the header, judged like one."""
    with path.open("rb") as fh:
        return _scan_npy_stream(book, fh, file, "")


def scan_npz(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A ``.npz`` archive: every ``.npy`` member is checked for object arrays."""
    findings: list[ScanFinding] = []
    try:
        with zipfile.ZipFile(path) as zf:
            members = [i for i in zf.infolist() if i.filename.endswith(".npy")]
            for info in members[:MAX_NPZ_MEMBERS]:
                with zf.open(info) as member:
                    findings.extend(_scan_npy_stream(book, member, file, info.filename))
            if len(members) > MAX_NPZ_MEMBERS:
                findings.append(
                    book.unread(
                        file,
                        f"more than {MAX_NPZ_MEMBERS} .npy members",
                        evidence=f"{len(members)} members",
                    )
                )
    except ARCHIVE_ERRORS as exc:
        raise InputError(path, f"expected a readable .npz zip archive ({exc})") from None
    return findings
