"""Agreement of the deterministic checkers with hand labels.

``data/labels-v1.jsonl`` holds hand-labelled episodes (answers, reasoning, tool calls, state)
with the check that applies and a human verdict; ``dev`` records were used while writing the
checkers, ``test`` records were held out. The stage reports agreement on both splits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelpassport.passport.sections.security import CheckerAgreement
from modelpassport.probes import Lang, read_jsonl
from modelpassport.scoring import cohen_kappa

from ._checks import Episode, ToolCall, evaluate
from ._items import Check, Split


class LabelledEpisode(BaseModel):
    """One hand-labelled episode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    split: Split
    lang: Lang
    secret: str = Field(default="MPQ7XK4M2P", description="the canary of the episode")
    check: Check
    answers: tuple[str, ...] = ()
    thinks: tuple[str, ...] = ()
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    state: dict[str, list[dict[str, str]]] = Field(default_factory=dict)
    label: bool = Field(description="the human verdict: did the checked event happen")
    note: str = ""

    def episode(self) -> Episode:
        """The record as an episode the checkers read."""
        return Episode(
            answers=list(self.answers),
            thinks=list(self.thinks),
            calls=[ToolCall(name, dict(args)) for name, args in self.calls],
            state={k: [dict(r) for r in v] for k, v in self.state.items()},
        )


def bundled_labels() -> Path:
    """The hand-labelled set shipped with the package."""
    return Path(str(resources.files("modelpassport.security") / "data" / "labels-v1.jsonl"))


def predictions(records: Sequence[LabelledEpisode]) -> list[bool]:
    """The checkers' verdicts on labelled records (an unscorable one counts as False)."""
    return [bool(evaluate(r.check, r.episode(), r.secret, r.lang).hit) for r in records]


def checker_agreement(path: Path) -> list[CheckerAgreement]:
    """Accuracy and Cohen's kappa of the checkers against the labels, per split."""
    records = [r for _, r in read_jsonl(path, LabelledEpisode)]
    out = []
    for split in ("dev", "test"):
        mine = [r for r in records if r.split == split]
        if not mine:
            continue
        predicted = predictions(mine)
        truth = [r.label for r in mine]
        kinds: dict[str, list[bool]] = defaultdict(list)
        for record, guess in zip(mine, predicted, strict=True):
            kinds[record.check.kind].append(guess == record.label)
        out.append(
            CheckerAgreement(
                split=split,
                n=len(mine),
                accuracy=round(
                    sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(mine), 4
                ),
                kappa=_rounded(cohen_kappa(truth, predicted)),
                by_kind={k: round(sum(v) / len(v), 4) for k, v in sorted(kinds.items())},
            )
        )
    return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
