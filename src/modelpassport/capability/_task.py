"""What one capability item is: a prompt, who made it, and the code that checks its answer.

Every item's answer is checked by code, never by a model. A checker returns one boolean per
sub-check (an instruction item with three constraints has three), and the item passes only
when every sub-check does, so the strict item rate and the per-check rate both exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from modelpassport.passport.sections.capability import PACK_NAMES, VERTICAL_NAMES, PackName

# The packs are the section's: one list, so a new pack is declared once.
Pack = PackName
PACKS: tuple[Pack, ...] = PACK_NAMES
VERTICALS: tuple[Pack, ...] = VERTICAL_NAMES
Tier = Literal["easy", "standard", "hard"]
Lang = Literal["en", "zh"]
# generated: made fresh from templates and a seed; static: a published fixed set (HumanEval);
# held_out: generated from a constraint family left out of this suite version's public list.
Origin = Literal["generated", "static", "held_out"]


@dataclass(frozen=True)
class Answer:
    """What the checker sees: the answer text after any reasoning block, and tool calls."""

    text: str
    tool_calls: Sequence[dict[str, Any]] = ()


@dataclass(frozen=True)
class Verdict:
    """One boolean per sub-check, with a note saying what failed (for the record)."""

    checks: tuple[bool, ...]
    note: str = ""

    @property
    def passed(self) -> bool:
        """The item passes only when every sub-check does (strict accuracy)."""
        return bool(self.checks) and all(self.checks)


Checker = Callable[[Answer], Verdict]


@dataclass(frozen=True)
class Program:
    """Python source to run in the sandbox: the answer's code followed by its tests."""

    source: str
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Task:
    """One item of a pack. ``check`` grades plain answers; ``program`` (code pack) turns an
    answer into a program whose exit status in the sandbox is the verdict."""

    id: str
    pack: Pack
    tier: Tier
    lang: Lang
    origin: Origin
    prompt: str
    max_tokens: int
    check: Checker | None = None
    program: Callable[[Answer], Program | None] | None = None
    twin: str | None = None
    tools: tuple[dict[str, Any], ...] | None = None
    length: int | None = None  # long-context items: approximate prompt tokens
    family: str = ""
    reference: Answer | None = None  # a known-right answer (self-tests, harness exports)

    @property
    def stratum(self) -> str:
        """Pack x tier x origin: the cell a stratified sample draws from."""
        return f"{self.pack}/{self.tier}/{self.origin}"


def verdict(*checks: bool, note: str = "") -> Verdict:
    """A verdict from sub-check results."""
    return Verdict(tuple(bool(c) for c in checks), note)


def twins(
    base: str,
    pack: Pack,
    tier: Tier,
    origin: Origin,
    prompts: dict[Lang, str],
    checks: dict[Lang, Checker],
    *,
    max_tokens: int,
    family: str = "",
    length: int | None = None,
    tools: tuple[dict[str, Any], ...] | None = None,
    references: dict[Lang, Answer] | None = None,
) -> list[Task]:
    """The English and Chinese twins of one item (same numbers, same answer)."""
    return [
        Task(
            id=f"{base}-{lang}",
            pack=pack,
            tier=tier,
            lang=lang,
            origin=origin,
            prompt=prompts[lang],
            max_tokens=max_tokens,
            check=checks[lang],
            twin=base if len(prompts) > 1 else None,
            family=family,
            length=length,
            tools=tools,
            reference=references.get(lang) if references else None,
        )
        for lang in prompts
    ]


def numeric_check(expected: float, *, abs_tol: float = 1e-6) -> Checker:
    """A checker passing when the answer's final number equals ``expected``."""
    from ._parse import close, final_number

    def check(answer: Answer) -> Verdict:
        got = final_number(answer.text)
        if got is None:
            return verdict(False, note="no number in the answer")
        ok = close(got, expected, abs_tol=abs_tol)
        return verdict(ok, note="" if ok else f"expected {expected:g}, got {got:g}")

    return check
