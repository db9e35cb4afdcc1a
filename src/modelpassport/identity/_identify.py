"""Identify a subject: read its files, fingerprint, compare with references, judge.

Synchronous and free of the stage machinery so the benchmark and tests call it directly.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from modelpassport.artifacts import (
    ArtifactSet,
    GGUFFile,
    HFFolder,
    Vocabulary,
    gguf_vocabulary,
    read_gguf_model,
    read_hf_dir,
    split_shards,
)
from modelpassport.catalog import Catalog, Family, LocalReference
from modelpassport.errors import InputError
from modelpassport.passport.sections.identity import (
    Declared,
    IdentityFinding,
    IdentitySection,
    LineageMatch,
)

from ._describe import ArchSignature, describe_gguf, describe_hf
from ._detect import (
    Observation,
    detect,
    detect_declared,
    detect_hosted,
    exact_tokenizer,
    summarise_tokenizer,
)
from ._fingerprint import TokenizerFingerprint, fingerprint, read_vocabulary, with_sketch
from ._lineage import DEFAULT_SAMPLE, Embeddings, compare, gguf_embeddings, hf_embeddings
from ._verdict import declared_family, findings


@dataclass(frozen=True)
class IdentifyOptions:
    """``lineage``: compare embeddings with references; ``sample``: tokens compared."""

    lineage: bool = True
    sample: int = DEFAULT_SAMPLE
    references: tuple[Path, ...] = ()


@dataclass(frozen=True)
class _Model:
    """One model's files, read: the subject or a reference."""

    path: Path
    declared: Declared
    arch: ArchSignature
    vocab: Vocabulary | None
    embeddings: Embeddings | None
    truncated: str | None = None


def _from_gguf(f: GGUFFile) -> _Model:
    declared, arch = describe_gguf(f)
    vocab = gguf_vocabulary(f)
    # A truncated file's header still names and tokenizes the model; its weights are missing.
    emb = gguf_embeddings(f, vocab) if vocab is not None and f.truncated is None else None
    return _Model(f.path, declared, arch, vocab, emb, f.truncated)


_TOKENIZER_ORDER = ("tokenizer.json", "tokenizer.model", "tiktoken.model")


def _from_folder(folder: HFFolder) -> _Model:
    declared, arch = describe_hf(folder)
    rank = {name: i for i, name in enumerate(_TOKENIZER_ORDER)}
    files = sorted(folder.tokenizer_files, key=lambda p: (rank.get(p.name, len(rank)), p.name))
    vocab = read_vocabulary(files[0]) if files else None
    emb = hf_embeddings(folder, vocab) if vocab is not None else None
    return _Model(folder.root, declared, arch, vocab, emb)


def _later_shard(path: Path) -> bool:
    split = split_shards(path)
    return split is not None and bool(split[0]) and split[0][0] != path


def read_model(path: Path) -> _Model:
    """Read a GGUF file, a model folder, or a folder holding one GGUF file."""
    if path.is_file():
        return _from_gguf(read_gguf_model(path))
    if not (path / "config.json").is_file():
        # The largest model file, a split set counted by its first shard (it holds the names).
        ggufs = sorted(
            path.glob("*.gguf"),
            key=lambda p: (_later_shard(p), -p.stat().st_size, p.name),
        )
        if ggufs:
            return _from_gguf(read_gguf_model(ggufs[0]))
    return _from_folder(read_hf_dir(path))


def local_references(catalog: Catalog) -> list[tuple[LocalReference, Path]]:
    """Catalog reference models that are installed here, located without importing them."""
    found: list[tuple[LocalReference, Path]] = []
    for ref in catalog.reference:
        spec = importlib.util.find_spec(ref.package)
        if spec is None or not spec.submodule_search_locations:
            continue
        if ref.file:
            path = Path(next(iter(spec.submodule_search_locations))) / ref.file
        elif ref.home_file:
            path = Path(os.path.expanduser("~")) / ref.home_file
        else:
            continue
        if path.is_file():
            found.append((ref, path))
    return found


def _reference_label(ref: LocalReference) -> str:
    """``package/file`` (or ``~/file``) for a catalog reference model."""
    return f"{ref.package}/{ref.file}" if ref.file else f"~/{ref.home_file}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def _lineage(subject: _Model, catalog: Catalog, opts: IdentifyOptions) -> list[LineageMatch]:
    if subject.embeddings is None:
        return []
    subject_file = subject.embeddings.path
    # Named as the user gave them, or package-relative: never this machine's own paths.
    candidates: list[tuple[Path, str | None, str]] = [(p, None, str(p)) for p in opts.references]
    candidates += [(p, ref.family, _reference_label(ref)) for ref, p in local_references(catalog)]
    out: list[LineageMatch] = []
    for path, family, label in candidates:
        if not path.exists():
            raise InputError(path, "reference model: no such file or folder")
        if path.is_file() and _same_file(path, subject_file):
            out.append(
                LineageMatch(
                    reference=label,
                    reference_family=family,
                    shared_tokens=len(subject.embeddings.vocab.tokens),
                    sample=0,
                    score=1.0,
                    verdict="same_lineage",
                    method="identical-file",
                )
            )
            continue
        ref = read_model(path)
        if ref.embeddings is None:
            raise InputError(path, "reference model: expected token embeddings and a tokenizer")
        if family is None:
            family = _reference_family(catalog, ref)
        match = compare(
            subject.embeddings, ref.embeddings, reference_family=family, sample=opts.sample
        )
        out.append(match.model_copy(update={"reference": label}))
    return sorted(out, key=lambda m: (m.reference, m.method))


def _markable(vocab: Vocabulary | None) -> frozenset[bytes]:
    """Tokens that can be family markers: the added, control and special ones."""
    if vocab is None:
        return frozenset()
    return frozenset(t for t, n in zip(vocab.tokens, vocab.normal, strict=True) if not n)


def _fingerprint(catalog: Catalog, vocab: Vocabulary) -> TokenizerFingerprint:
    """The fingerprint, with the costly sketch only when no catalog vocabulary is identical."""
    fp = fingerprint(vocab, sketch=False)
    return fp if exact_tokenizer(catalog, fp) is not None else with_sketch(fp, vocab)


def _reference_family(catalog: Catalog, ref: _Model) -> str | None:
    fp = _fingerprint(catalog, ref.vocab) if ref.vocab is not None else None
    obs = Observation(ref.arch, fp, _markable(ref.vocab))
    detected, tied = detect(catalog, obs)
    return tied[0].id if tied and detected.developer.confidence >= 0.5 else None


def identify_artifacts(
    artifacts: ArtifactSet, catalog: Catalog, opts: IdentifyOptions
) -> IdentitySection:
    """The identity section for a subject with files."""
    if artifacts.kind == "file":
        raise InputError(
            artifacts.files[0],
            "identity reads a GGUF file or a model folder; a single file of another format "
            "carries no config or tokenizer to identify it by (audit its folder instead)",
        )
    primary = artifacts.primary
    subject = read_model(primary if primary is not None else artifacts.root)
    named = declared_family(catalog, subject.declared)
    declared = subject.declared.model_copy(update={"family": named.id if named else None})
    fp = _fingerprint(catalog, subject.vocab) if subject.vocab is not None else None
    lineage = _lineage(subject, catalog, opts) if opts.lineage else []
    obs = Observation(subject.arch, fp, _markable(subject.vocab), tuple(lineage))
    detected, candidates = detect(catalog, obs)
    if detected.family.value is None and named is not None:
        said = _declaration_naming(catalog, declared, named)
        detected = detect_declared(named, said)
    return IdentitySection(
        subject_kind=artifacts.kind,
        declared=declared,
        detected=detected,
        tokenizer=summarise_tokenizer(catalog, fp) if fp is not None else None,
        lineage=lineage,
        findings=[*findings(catalog, declared, detected, candidates, lineage), *_cut(subject)],
        catalog_version=catalog.digest,
    )


def _declaration_naming(catalog: Catalog, declared: Declared, family: Family) -> str:
    """Which declaration points to ``family``: the name or a base model."""
    for base in declared.base_models:
        if family in catalog.by_name(base):
            return f"base model {base!r}"
    return f"model name {declared.name!r}"


def _cut(subject: _Model) -> list[IdentityFinding]:
    if subject.truncated is None:
        return []
    return [
        IdentityFinding(
            rule_id="MP-ID-005",
            severity="medium",
            message=f"truncated GGUF ({subject.truncated}): identity read from its complete "
            "header; weight lineage not measured",
        )
    ]


def identify_hosted(model: str, provider: str, catalog: Catalog) -> IdentitySection:
    """The identity section for a target without files: the provider's model id and the
    catalog are all there is, and the section says so through lower confidence."""
    named = declared_family(catalog, Declared(name=model))
    declared = Declared(name=model, organization=provider, family=named.id if named else None)
    detected, candidates = detect_hosted(catalog, model)
    return IdentitySection(
        subject_kind="hosted",
        declared=declared,
        detected=detected,
        findings=findings(catalog, declared, detected, candidates, []),
        catalog_version=catalog.digest,
    )
