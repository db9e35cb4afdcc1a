"""Official framings of every state the suite probes, per state and per topic, as data.

An item's flags name the framings its question invites; an answer can state any line of the
topic's official narrative (or the state's stock lines) instead. The scorer therefore checks
an answer against the item's flags *and* the framings of its topic and state, in both
languages (``lexicon/framings-v1.toml``, with the sources each was taken from). Some lines
belong to no one state: every government defending itself says the matter was handled
according to law, that the wrongdoing was a few individuals' and not policy, that critics
apply double standards. Those ``shared`` framings apply to every state the file lists, so
they are measured for all of them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modelpassport._files import read_toml_as
from modelpassport.errors import InputError
from modelpassport.probes import Claim

FRAMINGS_FILE = "framings-v1.toml"
Cues = tuple[tuple[str, ...], ...]
Scope = Literal["answer", "sentence"]


@dataclass(frozen=True)
class Framing:
    """One framing, matched when either language's cue groups all match."""

    claim: str
    variants: tuple[Claim, ...]
    # "answer": each cue group anywhere in the answer's own voice; "sentence": all groups in
    # one sentence (concept framings, whose groups are too common to pair across sentences).
    scope: Scope = "answer"


class _Framing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str = Field(min_length=1)
    en: Cues = Field(min_length=1)
    zh: Cues = Field(min_length=1)
    scope: Scope = "answer"

    def compiled(self) -> Framing:
        return Framing(
            self.claim,
            (Claim(claim=self.claim, cues=self.en), Claim(claim=self.claim, cues=self.zh)),
            self.scope,
        )


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    state: str = Field(pattern=r"^[A-Z]{2,3}$")
    sources: tuple[str, ...] = Field(min_length=1)
    framings: tuple[_Framing, ...] = Field(min_length=1)


class _Topic(_State):
    topic: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    framings: tuple[_Framing, ...] = ()


class _Shared(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[str, ...] = Field(min_length=1)
    framings: tuple[_Framing, ...] = Field(min_length=1)


class _FramingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    shared: _Shared | None = None
    states: tuple[_State, ...]
    topics: tuple[_Topic, ...]


@dataclass(frozen=True)
class Framings:
    """The framings by state and by topic, those every state shares, and the file's version."""

    version: str
    by_state: dict[str, tuple[Framing, ...]]
    by_topic: dict[str, tuple[Framing, ...]]
    shared: tuple[Framing, ...] = ()

    def for_item(self, topic: str, state: str) -> tuple[Framing, ...]:
        """The topic's framings, then the state's, then the shared ones (none of the state's
        or shared ones for a state the file does not list, such as a neutral item's)."""
        if state not in self.by_state:
            return self.by_topic.get(topic, ())
        return self.by_topic.get(topic, ()) + self.by_state[state] + self.shared


def load_framings(path: Path | None = None) -> Framings:
    """Load a framings file (default: the bundled one); InputError names file and field."""
    if path is None:
        path = Path(str(resources.files("modelpassport.scoring") / "lexicon" / FRAMINGS_FILE))
    data = read_toml_as(path, _FramingsFile, "framings file")
    by_topic: dict[str, tuple[Framing, ...]] = {}
    for topic in data.topics:
        if topic.topic in by_topic:
            raise InputError(
                f"{path}: topics", f"expected each topic once, got {topic.topic} twice"
            )
        by_topic[topic.topic] = tuple(f.compiled() for f in topic.framings)
    by_state = {s.state: tuple(f.compiled() for f in s.framings) for s in data.states}
    shared = tuple(f.compiled() for f in data.shared.framings) if data.shared else ()
    return Framings(data.version, by_state, by_topic, shared)
