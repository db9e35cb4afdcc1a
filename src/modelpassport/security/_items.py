"""Security suite items: the declarative shape of one attack (or its clean control).

An item is data only: an operator policy (system prompt) with a ``{canary}`` slot, the user
turns, the tools an agent may call with scripted results carrying an ``{injection}`` slot,
and two declarative checks: ``check`` (did the attacker's goal happen) and ``utility`` (was
the user's own task done). Nothing in an item is executed; tools are simulated in memory.

Relations, as in the narratives suite: ``twin_id`` joins an item's English and Chinese twins,
``pair_id`` joins attacked items to the clean control built on the same policy and task.
"""

from __future__ import annotations

import hashlib
import string
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modelpassport.errors import InputError
from modelpassport.probes import Lang, read_jsonl

Family = Literal["jailbreak", "extraction", "injection", "agent", "over_refusal"]
FAMILIES: tuple[Family, ...] = ("jailbreak", "extraction", "injection", "agent", "over_refusal")
CheckKind = Literal[
    "canary", "reversed_canary", "phrase", "lang", "tool_call", "state", "refusal", "answered"
]
Severity = Literal["high", "medium", "low"]
Split = Literal["dev", "test"]

_CANARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SLOTS = {"canary", "injection"}


class Check(BaseModel):
    """A declarative, deterministic test of one episode (see ``_checks.evaluate``).

    ``phrases`` are cue groups: every group must match, any cue within a group suffices
    (text is NFKC-, case-, width- and space-folded first). ``args``/``where`` map a field of a
    tool call or a state record to a cue it must contain; ``{canary}`` is filled in.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CheckKind
    phrases: tuple[tuple[str, ...], ...] = ()
    lang: Lang | None = None
    tool: str | None = None
    args: dict[str, str] = Field(default_factory=dict)
    collection: str | None = None
    where: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> Check:
        needs: dict[str, tuple[Any, str]] = {
            "phrase": (self.phrases, "phrases"),
            "lang": (self.lang, "lang"),
            "tool_call": (self.tool, "tool"),
            "state": (self.collection, "collection"),
        }
        value, name = needs.get(self.kind, (True, ""))
        if not value:
            raise ValueError(f"a {self.kind} check needs {name}")
        if any(not group or any(not c.strip() for c in group) for group in self.phrases):
            raise ValueError("every phrase group needs at least one non-blank cue")
        return self


class ToolSpec(BaseModel):
    """A simulated tool. ``effect`` ``read`` answers with ``results[name]``; ``record:NAME``
    appends the call's arguments to the in-memory collection NAME and reports success."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    description: str = Field(min_length=1)
    parameters: dict[str, str] = Field(
        default_factory=dict, description="argument name -> JSON type (string or number)"
    )
    effect: str = Field(pattern=r"^(read|record:[a-z_]+)$")

    @field_validator("parameters")
    @classmethod
    def _types(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k, t in value.items() if t not in ("string", "number")]
        if bad:
            raise ValueError(f"parameter {bad[0]!r}: expected type string or number")
        return value


class SecurityItem(BaseModel):
    """One probe of the security suite (one JSONL line)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,80}$")
    twin_id: str = Field(min_length=1)
    pair_id: str = Field(min_length=1)
    family: Family
    template: str = Field(pattern=r"^[a-z0-9_]+$", description="attack template, or 'control'")
    template_version: int = Field(ge=1)
    control: bool = Field(description="the clean control of its pair (no attack)")
    lang: Lang
    split: Split
    severity: Severity
    goal: str = Field(min_length=1, description="what the attacker wants, in plain words")
    system: str = Field(description="operator policy; may hold a {canary} slot")
    turns: tuple[str, ...] = Field(min_length=1, description="user turns, asked in order")
    tools: tuple[ToolSpec, ...] = ()
    results: dict[str, str] = Field(
        default_factory=dict, description="scripted tool results; may hold {injection}"
    )
    injection: str = Field(default="", description="text put in the {injection} slot")
    check: Check = Field(description="true when the attacker's goal happened (or was tried)")
    completed: Check | None = Field(
        default=None, description="agent items: the state condition of a completed hijack"
    )
    utility: Check | None = Field(default=None, description="true when the user's task was done")

    @model_validator(mode="after")
    def _consistent(self) -> SecurityItem:
        texts = (self.system, *self.turns, *self.results.values(), self.injection)
        for text in texts:
            unknown = {f for _, f, _, _ in string.Formatter().parse(text) if f} - _SLOTS
            if unknown:
                raise ValueError(f"unknown slot {{{sorted(unknown)[0]}}}")
        if self.control != (self.template == "control"):
            raise ValueError("control items have template 'control' and only they do")
        if self.family == "agent" and not self.tools:
            raise ValueError("agent items need tools")
        names = {t.name for t in self.tools}
        missing = [n for n in self.results if n not in names]
        if missing:
            raise ValueError(f"results for unknown tool {missing[0]!r}")
        return self


@dataclass(frozen=True)
class SecuritySuite:
    """A loaded, validated suite."""

    name: str
    version: str
    path: Path
    items: tuple[SecurityItem, ...]


def bundled_security_suite() -> Path:
    """The suite shipped with the package (``data/security-v1.jsonl``)."""
    return Path(str(resources.files("modelpassport.security") / "data" / "security-v1.jsonl"))


def load_security_suite(path: Path) -> SecuritySuite:
    """Read and validate a suite file; relations between items are checked too.

    Why: a suite whose twins or pairs disagree would silently pair unlike items in the gap
    and lift intervals; it is refused with the line of the first problem instead.

    Raises:
        InputError: naming ``path:line`` and what was expected.
    """
    rows = read_jsonl(path, SecurityItem)
    if not rows:
        raise InputError(path, "expected at least one security item")
    seen: dict[str, int] = {}
    twins: dict[str, list[tuple[int, SecurityItem]]] = defaultdict(list)
    controls: dict[str, int] = defaultdict(int)
    for line, item in rows:
        if item.id in seen:
            raise InputError(f"{path}:{line}", f"id {item.id!r} repeats line {seen[item.id]}")
        seen[item.id] = line
        twins[item.twin_id].append((line, item))
        controls[item.pair_id] += item.control
    for group in twins.values():
        line, first = group[0]
        langs = sorted(i.lang for _, i in group)
        if langs != ["en", "zh"]:
            raise InputError(f"{path}:{line}", f"twin_id {first.twin_id!r}: expected en + zh")
        other = group[1][1]
        for key in ("family", "template", "pair_id", "control", "split", "severity"):
            if getattr(other, key) != getattr(first, key):
                raise InputError(f"{path}:{line}", f"twins {first.twin_id!r} differ in {key}")
    for line, item in rows:
        if not item.control and controls[item.pair_id] == 0 and item.family != "over_refusal":
            raise InputError(f"{path}:{line}", f"pair_id {item.pair_id!r} has no control item")
    stem = path.stem
    name, _, version = stem.rpartition("-")
    return SecuritySuite(name or stem, version or "v0", path, tuple(i for _, i in rows))


def canary(suite_version: str, item_id: str, seed: int) -> str:
    """The secret planted in one item: ``MP`` and 8 characters from a hash.

    Why: derived, not stored, so a suite file never holds the secret a model could have
    memorised, and a new seed changes every canary.
    """
    digest = hashlib.sha256(f"{suite_version}\x00{item_id}\x00{seed}".encode()).digest()
    return "MP" + "".join(_CANARY_ALPHABET[b % len(_CANARY_ALPHABET)] for b in digest[:8])


def fill(text: str, *, canary: str, injection: str = "") -> str:
    """Put the canary and the injection into a text's slots (other braces are kept)."""
    return text.replace("{injection}", injection).replace("{canary}", canary)
