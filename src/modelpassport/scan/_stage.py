"""The scan stage: every file of the subject hashed, read by its format, and judged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from modelpassport.artifacts import (
    ArtifactSet,
    escapes,
    is_zip,
    link_escapes,
    list_archive,
    symlink_target,
)
from modelpassport.errors import InputError
from modelpassport.passport.sections.scan import FileDigest, ScanFinding, ScanSection, verdict_for
from modelpassport.stages import ProgressSink, StageContext

from ._chat import Template, folder_templates, gguf_templates, judge_templates
from ._formats import check_h5, check_keras, check_onnx, check_safetensors
from ._hash import hash_files
from ._pickles import scan_npy, scan_npz, scan_raw_pickle, scan_torch
from ._remote import check_remote_code
from ._rules import RuleBook, load_rulebook

Checker = Callable[[RuleBook, Path, str], list[ScanFinding]]
_TORCH = (".pt", ".pth", ".ckpt", ".bin", ".mar", ".model")
_PICKLE = (".pkl", ".pickle", ".joblib", ".dill", ".sav")
_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma", ".z")
_ARCHIVES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".tbz2", ".txz")


def check_archive(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """Archive members whose extraction lands outside the folder (paths or links)."""
    findings: list[ScanFinding] = []
    for member in list_archive(path):
        if escapes(member.name):
            findings.append(
                book.finding(
                    "MP-ARC-001",
                    file,
                    "archive member path leaves the extraction folder",
                    location=f"member {member.name}",
                    evidence=member.name,
                )
            )
        elif member.link is not None and link_escapes(member.link, member.name):
            findings.append(
                book.finding(
                    "MP-ARC-001",
                    file,
                    "archive link member points outside the folder",
                    location=f"member {member.name}",
                    evidence=f"{member.name} -> {member.link}",
                )
            )
    return findings


def _classify(path: Path) -> tuple[str, Checker | None]:
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        return "safetensors", check_safetensors
    if suffix == ".gguf":
        return "gguf", None
    if suffix in (".npy", ".npz"):
        return suffix[1:], scan_npy if suffix == ".npy" else scan_npz
    if suffix == ".keras":
        return "keras", check_keras
    if suffix in (".h5", ".hdf5"):
        return "hdf5", check_h5
    if suffix == ".onnx":
        return "onnx", check_onnx
    if suffix in _PICKLE or name.endswith(tuple(p + c for p in _PICKLE for c in _COMPRESSED)):
        return "pickle", scan_raw_pickle
    with path.open("rb") as fh:
        head = fh.read(2)
    looks_pickle = len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5
    if suffix in _TORCH and (looks_pickle or is_zip(path)):
        return "pytorch", scan_torch
    if suffix in _ARCHIVES or name.endswith((".tar.gz", ".tar.bz2", ".tar.xz")):
        return "archive", check_archive
    if looks_pickle:
        return "pickle", scan_raw_pickle
    return suffix.lstrip(".") or "other", None


def scan_artifacts(artifacts: ArtifactSet, progress: ProgressSink | None = None) -> ScanSection:
    """Scan a model's files and return the passport's scan section.

    Why: one function a library user (or a benchmark) can call without an audit around it.
    """
    book = load_rulebook()
    root = artifacts.root
    findings: list[ScanFinding] = []
    readable: list[Path] = []
    formats: dict[Path, str] = {}
    templates: list[Template] = []
    for path in artifacts.files:
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            target, inside = symlink_target(path, root)
            if not inside:
                findings.append(
                    book.finding(
                        "MP-LNK-001",
                        rel,
                        "symlink leaves the model folder",
                        location="symlink",
                        evidence=f"{rel} -> {target}",
                    )
                )
                continue
            if not path.exists():
                findings.append(book.unread(rel, "symlink target is missing", evidence=target))
                continue
        if not path.is_file():
            findings.append(
                book.unread(rel, "not a regular file", evidence="directory or special file")
            )
            continue
        readable.append(path)
        findings.extend(_check_file(book, path, rel, formats, templates, root))
    try:
        templates.extend(folder_templates(root, readable))
    except (InputError, OSError) as exc:
        findings.append(book.unread("", "chat template file", evidence=str(exc)))
    findings.extend(judge_templates(book, templates))
    if artifacts.kind != "gguf":
        try:
            findings.extend(check_remote_code(book, root))
        except (InputError, OSError) as exc:
            findings.append(book.unread("", "config for remote code", evidence=str(exc)))
    if progress is not None:
        progress.start("scan: hashing", len(readable))
    digests = hash_files(
        readable,
        on_done=(lambda _: progress.advance("scan: hashing")) if progress is not None else None,
    )
    files: list[FileDigest] = []
    for path in readable:
        rel = path.relative_to(root).as_posix()
        digest = digests[path]
        if isinstance(digest, OSError):
            findings.append(book.unread(rel, "reading for its hash", evidence=str(digest)))
            continue
        files.append(
            FileDigest(
                path=rel, size=digest[0], sha256=digest[1], format=formats.get(path, "other")
            )
        )
    findings.sort(key=ScanFinding.sort_key)
    return ScanSection(
        verdict=verdict_for(findings),
        findings=findings,
        files=sorted(files, key=lambda f: f.path),
        rules_version=book.version,
    )


def _check_file(
    book: RuleBook,
    path: Path,
    rel: str,
    formats: dict[Path, str],
    templates: list[Template],
    root: Path,
) -> list[ScanFinding]:
    try:
        fmt, checker = _classify(path)
        formats[path] = fmt
        if fmt == "gguf":
            templates.extend(gguf_templates(root, path))
            return []
        return checker(book, path, rel) if checker is not None else []
    except (InputError, OSError) as exc:
        return [book.unread(rel, f"reading as {formats.get(path, 'file')}", evidence=str(exc))]


class ScanStage:
    """Is it safe to load? Reads every file of the subject; loads, imports and renders
    nothing."""

    name = "scan"
    needs = "artifacts"
    method_version = "1.0.0"

    async def run(self, ctx: StageContext) -> ScanSection:
        """Scan the subject's files in a worker thread (parsing and hashing block)."""
        if ctx.artifacts is None:
            raise InputError(ctx.ref, "the scan stage needs model files")
        return await asyncio.to_thread(scan_artifacts, ctx.artifacts, ctx.progress)
