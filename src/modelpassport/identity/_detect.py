"""Detect a model's family from evidence its files cannot hide: tokenizer, special tokens,
architecture and dimensions, and weight lineage against reference models.

Each piece of evidence has a weight in [0, 1]; a family's score combines them as independent
signals (1 - prod(1 - w)). A vocabulary whose sketch clearly differs from every tokenizer of a
family counts against that family. Ties are reported as alternatives, and the family's
confidence is shared among them, so an ambiguous detection never looks certain.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelpassport.catalog import Catalog, Family, TokenizerEntry
from modelpassport.passport.sections.identity import (
    Claim,
    Clue,
    Detected,
    LineageMatch,
    TokenizerSummary,
)

from ._describe import ArchSignature
from ._fingerprint import TokenizerFingerprint, sketch_jaccard

MIN_SCORE = 0.3
TIE = 0.02
CONTRADICTED = 0.3
# Configs pad the vocabulary (Qwen2.5: 151,665 tokens, vocab_size 151,936): allow 1%.
VOCAB_SLACK = 0.01


@dataclass(frozen=True)
class Observation:
    """What the subject's files show, gathered before detection."""

    arch: ArchSignature
    fingerprint: TokenizerFingerprint | None = None
    tokens: frozenset[bytes] = frozenset()  # added, control and special tokens
    lineage: tuple[LineageMatch, ...] = ()


def _combine(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


def _tokenizer_evidence(entry: TokenizerEntry, obs: Observation) -> tuple[Clue | None, bool]:
    """(evidence for, whether the vocabulary clearly is not this tokenizer)."""
    fp = obs.fingerprint
    if fp is None:
        return None, False
    if entry.tokens_sha256 and entry.tokens_sha256 == fp.tokens_sha256:
        return (
            Clue(
                kind="tokenizer",
                weight=0.9,
                source=entry.source,
                detail=f"learned vocabulary identical to {entry.name}",
            ),
            False,
        )
    if entry.sketch and fp.sketch:
        j = sketch_jaccard(entry.sketch, fp.sketch) or 0.0
        if j >= 0.85:
            return (
                Clue(
                    kind="tokenizer",
                    weight=0.8 if j >= 0.95 else 0.6,
                    source=entry.source,
                    detail=f"vocabulary overlap {j:.2f} (Jaccard) with {entry.name}",
                ),
                False,
            )
        return None, j < 0.5
    weights: list[float] = []
    notes: list[str] = []
    sizes = [n for n in (fp.vocab_size, obs.arch.vocab_size) if n]
    size_fits = bool(entry.vocab_size) and any(
        abs(n - (entry.vocab_size or 0)) <= VOCAB_SLACK * n for n in sizes
    )
    if size_fits:
        weights.append(0.3)
        notes.append(f"vocabulary size near {entry.vocab_size}")
    present = [m for m in entry.markers if m.encode("utf-8") in obs.tokens]
    if entry.markers and len(present) * 2 >= len(entry.markers):
        weights.append(0.4)
        notes.append("special tokens " + ", ".join(present))
    if not weights:
        # A catalog size far from the subject's, and none of its markers: not this tokenizer.
        return None, bool(entry.vocab_size) and not present
    return (
        Clue(
            kind="tokenizer",
            weight=round(_combine(weights), 3),
            source=entry.source,
            detail=f"{' and '.join(notes)} as in {entry.name}",
        ),
        False,
    )


def _arch_evidence(family: Family, arch: ArchSignature, users: int) -> list[Clue]:
    out: list[Clue] = []
    name = arch.architecture
    if name and (name in family.architectures or name in family.gguf_architectures):
        out.append(
            Clue(
                kind="architecture",
                weight=0.5 if users <= 2 else 0.15,
                source=family.sources["architecture"],
                detail=f"architecture {name} (used by {users} catalog families)",
            )
        )
    for size in family.sizes:
        same = (size.hidden_size, size.layers, size.heads, size.kv_heads) == (
            arch.hidden_size,
            arch.layers,
            arch.heads,
            arch.kv_heads,
        )
        if same and (size.ffn is None or arch.ffn is None or size.ffn == arch.ffn):
            out.append(
                Clue(
                    kind="dimensions",
                    weight=0.6,
                    source=family.sources["architecture"],
                    detail=f"dimensions match {family.name} {size.label}: {arch.describe()}",
                )
            )
            break
    return out


def _family_score(
    family: Family, catalog: Catalog, obs: Observation, users: dict[str, int]
) -> tuple[float, list[Clue]]:
    evidence: list[Clue] = []
    tok_ev: list[Clue] = []
    contradicted = []
    for tid in family.tokenizers:
        entry = catalog.get_tokenizer(tid)
        if entry is None:
            continue
        ev, against = _tokenizer_evidence(entry, obs)
        contradicted.append(against)
        if ev is not None:
            tok_ev.append(ev)
    if tok_ev:
        evidence.append(max(tok_ev, key=lambda e: e.weight))
    present = [m for m in family.markers if m.encode("utf-8") in obs.tokens]
    if family.markers and len(present) == len(family.markers):
        evidence.append(
            Clue(
                kind="markers",
                weight=0.5,
                source=family.sources["architecture"],
                detail="family-specific tokens " + ", ".join(present),
            )
        )
    if obs.arch.architecture:
        evidence += _arch_evidence(family, obs.arch, users.get(obs.arch.architecture, 0))
    for match in obs.lineage:
        if match.reference_family == family.id and match.verdict == "same_lineage":
            how = (
                "it is the reference file itself"
                if match.method == "identical-file"
                else f"r = {match.score} over {match.sample} shared tokens"
            )
            evidence.append(
                Clue(
                    kind="weights",
                    weight=0.95,
                    source=match.reference,
                    detail=f"embedding structure matches the reference ({how})",
                )
            )
    score = _combine([e.weight for e in evidence])
    if contradicted and all(contradicted):
        score *= CONTRADICTED
        evidence.append(
            Clue(
                kind="tokenizer",
                weight=0.0,
                detail="vocabulary differs from this family's tokenizer "
                f"(score scaled by {CONTRADICTED})",
            )
        )
    return score, evidence


def exact_tokenizer(catalog: Catalog, fp: TokenizerFingerprint) -> TokenizerEntry | None:
    """The catalog tokenizer whose learned vocabulary is identical to ``fp``'s, if any."""
    return next((t for t in catalog.tokenizer if t.tokens_sha256 == fp.tokens_sha256), None)


def best_tokenizer(catalog: Catalog, fp: TokenizerFingerprint) -> tuple[str | None, float | None]:
    """The catalog tokenizer closest to ``fp``: identical vocabulary, else the largest sketch
    overlap, with the Jaccard estimate."""
    exact = exact_tokenizer(catalog, fp)
    if exact is not None:
        return exact.id, 1.0
    if fp.sketch is None:
        return None, None
    scored = [
        (sketch_jaccard(t.sketch, fp.sketch) or 0.0, t.id) for t in catalog.tokenizer if t.sketch
    ]
    if not scored:
        return None, None
    j, tid = max(scored)
    return tid, round(j, 3)


def detect(catalog: Catalog, obs: Observation) -> tuple[Detected, tuple[Family, ...]]:
    """Score every open-weights family against the observation and pick the best; also
    returns the families tied with it (best first), empty when nothing matched."""
    users: dict[str, int] = {}
    for f in catalog.family:
        for a in {*f.architectures, *f.gguf_architectures}:
            users[a] = users.get(a, 0) + 1
    scored = sorted(
        ((*_family_score(f, catalog, obs, users), f) for f in catalog.family if f.open_weights),
        # Among equals, an original family before one derived from it, then the oldest.
        key=lambda x: (-round(x[0], 6), bool(x[2].based_on), x[2].first_release, x[2].id),
    )
    top_score, top_evidence, top = scored[0]
    if top_score < MIN_SCORE:
        none = Claim(value=None, confidence=0.0)
        return Detected(family=none, developer=none, country=none), ()
    tied = [f for s, _, f in scored if top_score - s <= TIE]
    share = 1.0 / len(tied)
    same_dev = sum(1 for f in tied if f.developer == top.developer) / len(tied)
    same_country = sum(1 for f in tied if f.country == top.country) / len(tied)
    detected = Detected(
        family=Claim(value=top.name, confidence=round(top_score * share, 3), evidence=top_evidence),
        developer=Claim(
            value=top.developer,
            confidence=round(top_score * same_dev, 3),
            evidence=_from_catalog(top, "developer", f"{top.name} is developed by {top.developer}"),
        ),
        country=Claim(
            value=top.country,
            confidence=round(top_score * same_country, 3),
            evidence=_from_catalog(
                top,
                "country",
                f"{top.developer} is headquartered in {top.headquarters} ({top.country})",
            ),
        ),
        licence=top.licence,
        open_weights=top.open_weights,
        first_release=top.first_release,
        alternatives=[f.name for f in tied if f.id != top.id],
    )
    return detected, tuple(tied)


def _from_catalog(family: Family, fact: str, detail: str) -> list[Clue]:
    """Clue that a fact comes from the catalog row, citing that fact's source."""
    return [Clue(kind="catalog", weight=1.0, source=family.sources[fact], detail=detail)]


# Confidence given to a family the files only declare: reported, never taken as verified.
DECLARED_CONFIDENCE = 0.3


def detect_declared(family: Family, said: str) -> Detected:
    """Identity from the files' own declaration (a base model, an architecture class) when
    nothing in them can be checked: no tokenizer, no weights, no matching dimensions.

    Why: "unknown" would let a model pass a country rule by shipping without a tokenizer;
    the declared family's developer and country are reported, marked as declared and not
    verified, at low confidence.
    """
    clue = [
        Clue(
            kind="declared",
            weight=DECLARED_CONFIDENCE,
            source=family.sources["developer"],
            detail=f"declared, not verified: {said} names {family.name}; "
            "no tokenizer or weights in the files confirm it",
        )
    ]
    return Detected(
        family=Claim(value=family.name, confidence=DECLARED_CONFIDENCE, evidence=clue),
        developer=Claim(value=family.developer, confidence=DECLARED_CONFIDENCE, evidence=clue),
        country=Claim(
            value=family.country,
            confidence=DECLARED_CONFIDENCE,
            evidence=[
                *clue,
                *_from_catalog(family, "country", f"{family.developer}: {family.headquarters}"),
            ],
        ),
        licence=family.licence,
        open_weights=family.open_weights,
        first_release=family.first_release,
    )


def detect_hosted(catalog: Catalog, model: str) -> tuple[Detected, tuple[Family, ...]]:
    """Identity of a hosted model from its API model id (the provider's own declaration)."""
    matches = catalog.by_name(model)
    if not matches:
        none = Claim(value=None, confidence=0.0)
        return Detected(family=none, developer=none, country=none), ()
    top = sorted(matches, key=lambda f: (f.open_weights, f.id))[0]
    name_ev = [
        Clue(
            kind="name",
            weight=0.6,
            source=top.sources["developer"],
            detail=f"API model id '{model}' belongs to {top.name}",
        )
    ]
    detected = Detected(
        family=Claim(value=top.name, confidence=0.6, evidence=name_ev),
        developer=Claim(value=top.developer, confidence=0.6, evidence=name_ev),
        country=Claim(
            value=top.country,
            confidence=0.6,
            evidence=_from_catalog(top, "country", f"{top.developer}: {top.headquarters}"),
        ),
        licence=top.licence,
        open_weights=top.open_weights,
        first_release=top.first_release,
        alternatives=[f.name for f in matches if f.id != top.id],
    )
    return detected, (top,)


def summarise_tokenizer(catalog: Catalog, fp: TokenizerFingerprint) -> TokenizerSummary:
    """The fingerprint as recorded in the passport, with its closest catalog tokenizer."""
    tid, j = best_tokenizer(catalog, fp)
    return TokenizerSummary(
        kind=fp.kind,
        vocab_size=fp.vocab_size,
        normal_tokens=fp.normal_tokens,
        tokens_sha256=fp.tokens_sha256,
        merges_sha256=fp.merges_sha256,
        special_tokens=fp.special_tokens[:32],
        best_match=tid,
        best_jaccard=j,
    )
