"""The scan stage: every file of the subject hashed, read by its format, and judged."""

from __future__ import annotations

import asyncio
from pathlib import Path

from modelpassport.artifacts import ArtifactSet, read_gguf, split_shards, symlink_target
from modelpassport.errors import InputError
from modelpassport.passport.sections.scan import (
    FileDigest,
    RuleText,
    ScanFinding,
    ScanSection,
    verdict_for,
)
from modelpassport.stages import ProgressSink, StageContext, StageOptions

from ._chat import Template, file_templates, gguf_templates, judge_templates
from ._formats import check_gguf
from ._hash import hash_files
from ._remote import check_remote_code
from ._rules import RuleBook, load_rulebook
from ._sniff import Kind, classify


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
        rel = artifacts.rel(path)
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
    for path in readable:  # one unreadable template file never hides the others
        try:
            templates.extend(file_templates(artifacts.rel(path), path))
        except (InputError, OSError) as exc:
            findings.append(book.unread(artifacts.rel(path), "chat template", evidence=str(exc)))
    findings.extend(judge_templates(book, templates))
    findings.extend(_missing_shards(book, artifacts))
    if artifacts.kind in ("hf_dir", "dir"):
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
        rel = artifacts.rel(path)
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
        rules={
            rid: RuleText(name=book.rules[rid].name, help=book.rules[rid].help)
            for rid in sorted({f.rule_id for f in findings})
            if rid in book.rules
        },
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
        kind = classify(path)
        formats[path] = kind.format
        found = [] if kind.disguised is None else [_disguised(book, rel, kind)]
        if kind.format == "gguf":
            gguf = read_gguf(path)
            templates.extend(gguf_templates(rel, gguf))
            return [*found, *check_gguf(book, gguf, rel)]
        return [*found, *(kind.checker(book, path, rel) if kind.checker is not None else [])]
    except (InputError, OSError) as exc:
        return [book.unread(rel, f"reading as {formats.get(path, 'file')}", evidence=str(exc))]


def _missing_shards(book: RuleBook, artifacts: ArtifactSet) -> list[ScanFinding]:
    primary = artifacts.primary
    split = split_shards(primary) if primary is not None else None
    if primary is None or split is None or not split[1]:
        return []
    missing = ", ".join(map(str, split[1]))
    return [
        book.finding(
            "MP-FMT-003",
            artifacts.rel(primary),
            f"split GGUF set incomplete: shard(s) {missing} missing, so the model will not load",
            location="split set",
            evidence=f"{len(split[0])} of {len(split[0]) + len(split[1])} shards present",
        )
    ]


def _disguised(book: RuleBook, rel: str, kind: Kind) -> ScanFinding:
    return book.finding(
        "MP-FMT-004",
        rel,
        f"named as {kind.disguised} but its bytes are {kind.format}; scanned as {kind.format}",
        location="file header",
        evidence=f"{kind.disguised} name, {kind.format} bytes",
    )


class ScanStage:
    """Is it safe to load? Reads every file of the subject; loads, imports and renders
    nothing."""

    name = "scan"
    needs = "artifacts"
    method_version = "1.1.0"
    options_model = StageOptions

    async def run(self, ctx: StageContext) -> ScanSection:
        """Scan the subject's files in a worker thread (parsing and hashing block)."""
        if ctx.artifacts is None:
            raise InputError(ctx.ref, "the scan stage needs model files")
        return await asyncio.to_thread(scan_artifacts, ctx.artifacts, ctx.progress)
