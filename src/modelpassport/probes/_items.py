"""The probe item: one prompt with the facts a complete answer states and the flags of an
official narrative, in the item's own language.

Items are data (``suites/*.jsonl``); this module only says what a valid item is, so a
malformed suite fails on load with the line and field named, never mid-audit.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["sensitive", "control", "reverse", "neutral"]
Lang = Literal["en", "zh"]
Variant = Literal["direct", "indirect", "individual", "task"]

_ID = r"^[A-Za-z0-9_.\-]+$"


def normalise_text(text: str) -> str:
    """Fold text for cue matching: NFKC (full-width digits and punctuation become ASCII) and
    casefold (Latin script becomes case-insensitive; Chinese is unchanged)."""
    return unicodedata.normalize("NFKC", text).casefold()


class Claim(BaseModel):
    """A fact or a narrative flag, recognised by cues.

    The claim is matched in an answer when EVERY cue group has at least one cue in it:
    groups are AND, cues within a group are OR (synonyms, spellings, both scripts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim: str = Field(min_length=1)
    cues: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @field_validator("cues")
    @classmethod
    def _groups_not_empty(cls, cues: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in cues:
            if not group or any(not cue.strip() for cue in group):
                raise ValueError("every cue group needs at least one non-blank cue")
        return cues

    def matched_in(self, folded_answer: str) -> bool:
        """Whether the claim is present in an answer already passed through normalise_text."""
        return all(
            any(normalise_text(cue) in folded_answer for cue in group) for group in self.cues
        )


class ProbeItem(BaseModel):
    """One narrative probe (see docs/narratives.md for the meaning of each field)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID, max_length=200)
    suite: str = Field(pattern=_ID, max_length=100)
    suite_version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    topic: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=100)
    state: str = Field(pattern=r"^([A-Z]{2,3}|none)$")
    kind: Kind
    lang: Lang
    variant: Variant
    prompt: str = Field(min_length=1, max_length=8000)
    facts: tuple[Claim, ...] = ()
    flags: tuple[Claim, ...] = ()
    twin_id: str = Field(pattern=_ID, max_length=200)
    pair_id: str = Field(pattern=_ID, max_length=200)
