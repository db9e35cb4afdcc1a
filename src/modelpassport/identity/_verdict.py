"""Findings: where what the files declare disagrees with what they show."""

from __future__ import annotations

import re

from modelpassport.catalog import Catalog, Family
from modelpassport.passport.sections.identity import (
    Declared,
    Detected,
    IdentityFinding,
    LineageMatch,
)

CONFIDENT = 0.5
_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def declared_family(catalog: Catalog, declared: Declared) -> Family | None:
    """The family the declared name points to, else the one its base models point to."""
    for texts in ([declared.name], declared.base_models):
        for text in texts:
            if text:
                found = catalog.by_name(text)
                if found:
                    return sorted(found, key=lambda f: f.id)[0]
    return None


def _declares(catalog: Catalog, declared: Declared, candidates: tuple[Family, ...]) -> bool:
    """Whether the declarations name a candidate family, a family derived from one, or its
    developer."""
    texts = [t for t in (declared.name, declared.organization, *declared.base_models) if t]
    related = {i for f in candidates for i in (f.id, *f.based_on)}
    for text in texts:
        for f in catalog.by_name(text):
            if f.id in related or related & set(f.based_on):
                return True
    return any(d in _norm(t) for d in _developer_keys(candidates) for t in texts)


def _developer_keys(candidates: tuple[Family, ...]) -> set[str]:
    """How a developer shows up in declarations: its name or a catalogued alias (the
    organisation it publishes under, e.g. 'meta-llama', 'HuggingFaceTB')."""
    keys = {
        _norm(name)
        for f in candidates
        for name in (f.developer.split("(")[0], *f.developer_aliases)
    }
    return {k for k in keys if len(k) >= 3}


def _licence_conflict(declared: str, family: Family) -> bool:
    got = _norm(declared)
    if not got or got in ("other", "unknown", "none"):
        return False
    want = _norm(family.licence.id)
    name = _norm(family.licence.name)
    return not (got == want or got[:5] == want[:5] or want in got or got in name)


def findings(
    catalog: Catalog,
    declared: Declared,
    detected: Detected,
    candidates: tuple[Family, ...],
    lineage: list[LineageMatch],
) -> list[IdentityFinding]:
    """Every disagreement, most severe first, in a stable order. ``candidates`` are the
    detected family and those tied with it."""
    out: list[IdentityFinding] = []
    family = candidates[0] if candidates else None
    confident = family is not None and detected.developer.confidence >= CONFIDENT
    if family is not None and confident and not _declares(catalog, declared, candidates):
        ids = {f.id for f in candidates}
        by_weights = any(m.reference_family in ids and m.verdict == "same_lineage" for m in lineage)
        claim = declared_family(catalog, declared)
        says = f"declares {declared.name!r}" if declared.name else "declares no name"
        if claim is not None:
            says += f" (pointing to {claim.name})"
        shown = " or ".join(f.name for f in candidates[:3])
        out.append(
            IdentityFinding(
                rule_id="MP-ID-001",
                severity="high" if by_weights or claim is not None else "medium",
                message=f"undeclared lineage: the files show {shown} by {family.developer} "
                f"({family.country}, confidence {detected.developer.confidence:.2f}"
                f"{', confirmed by weights' if by_weights else ''}) but the model {says} "
                "and names neither that family nor its developer as its base",
            )
        )
    if (
        family is not None
        and confident
        and declared.licence
        and all(_licence_conflict(declared.licence, f) for f in candidates)
    ):
        out.append(
            IdentityFinding(
                rule_id="MP-ID-002",
                severity="medium",
                message=f"licence conflict: declared {declared.licence!r} but {family.name} "
                f"weights are under {family.licence.name} ({family.licence.url})",
            )
        )
    if declared.adapter and not declared.base_models:
        out.append(
            IdentityFinding(
                rule_id="MP-ID-003",
                severity="low",
                message="an adapter that does not name the base model it must be applied to",
            )
        )
    if family is None:
        unverified = detected.family.value
        out.append(
            IdentityFinding(
                rule_id="MP-ID-004",
                severity="info",
                message="no catalog family matched the tokenizer, architecture or weights"
                + (f"; {unverified} is reported as declared, not verified" if unverified else ""),
            )
        )
    return sorted(out, key=lambda f: (_ORDER[f.severity], f.rule_id, f.message))
