"""The lexical tier's phrase lists (``lexicon/lexical-v2.toml``), validated and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from modelpassport._files import read_toml_as
from modelpassport.probes import Lang

LEXICON_FILE = "lexical-v2.toml"
LISTS = (
    "refusal",
    "deflection",
    "attribution",
    "dismissal",
    "concession",
    "negation",
    "denial",
    "backref",
    "own_voice",
    "names",
)
LANGS: tuple[Lang, ...] = ("en", "zh")
# What a negation covers: the rest of its clause, up to a "but" that turns it round.
_NEGATED_REST = r"(?:(?!\bbut\b|而是|但)[^.!?。！？；;:：\n,，])*"

Patterns = tuple[re.Pattern[str], ...]
# Cues whose spelling is remembered (suite and framings hold a few thousand).
_SPELLED_MAX = 1 << 16


class _Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    refusal: tuple[str, ...]
    deflection: tuple[str, ...]
    attribution: tuple[str, ...]
    dismissal: tuple[str, ...]
    concession: tuple[str, ...]
    negation: tuple[str, ...]
    denial: tuple[str, ...]
    backref: tuple[str, ...]
    own_voice: tuple[str, ...]
    names: tuple[str, ...]

    @field_validator(*LISTS)
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from None
        return patterns


class _LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: _Phrases
    zh: _Phrases


@dataclass(frozen=True)
class Lexicon:
    """Compiled phrase patterns by list and language (meaning of each list: the TOML file).

    ``negation`` patterns are extended to cover the rest of their clause.
    """

    lists: dict[str, dict[Lang, Patterns]]
    _spelled: dict[tuple[str, tuple[str, ...]], bool] = field(
        default_factory=dict, compare=False, repr=False
    )

    def of(self, name: str, lang: Lang) -> Patterns:
        """One list in one language."""
        return self.lists[name][lang]

    def both(self, name: str) -> Patterns:
        """One list in both languages: answers are read in either, whatever was asked."""
        return self.lists[name]["en"] + self.lists[name]["zh"]

    def spells(self, cue: str, *names: str) -> bool:
        """Whether a (folded) cue itself holds a phrase of one of the lists ("fabricated" is
        a dismissal). A property of the cue, asked for every cue of every answer, so it is
        worked out once per cue."""
        key = (cue, names)
        found = self._spelled.get(key)
        if found is None:
            if len(self._spelled) >= _SPELLED_MAX:
                self._spelled.clear()
            found = any(p.search(cue) for name in names for p in self.both(name))
            self._spelled[key] = found
        return found


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and compile a lexicon file (default: the bundled ``lexical-v2.toml``)."""
    if path is None:
        path = Path(str(resources.files("modelpassport.scoring") / "lexicon" / LEXICON_FILE))
    data = read_toml_as(path, _LexiconFile, "lexicon")
    lists: dict[str, dict[Lang, Patterns]] = {}
    for name in LISTS:
        lists[name] = {}
        for lang in LANGS:
            patterns: tuple[str, ...] = getattr(getattr(data, lang), name)
            if name == "negation":
                patterns = tuple(f"(?:{p}){_NEGATED_REST}" for p in patterns)
            lists[name][lang] = tuple(re.compile(p, re.DOTALL) for p in patterns)
    return Lexicon(lists)
