"""Agreement of each scorer tier with the labelled calibration sets.

Each set is split deterministically by a hash of each record's id: ``test`` (about 40%) is
held out and reported, ``dev`` is where the heuristics may be tuned. The same record is
always in the same split, whatever else is added to the file, so a reported figure is
never tuned on itself.

Metrics: refusal F1 and evasive F1 (one class against the rest), outcome accuracy, Cohen's
kappa for echo and echo recall (labelled echoes flagged). An answer a tier could not score
counts as a disagreement (its own category), so a tier cannot look better by declining to
score hard answers.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelpassport.errors import InputError
from modelpassport.probes import (
    Claim,
    Lang,
    ProbeItem,
    bundled_suite_path,
    load_suite,
    read_jsonl,
)

from ._base import AnswerOutcome, Case, Score, Scorer
from ._think import split_think

Split = Literal["dev", "test"]
TEST_PERCENT = 40
CALIBRATION_FILE = "calibration-v1.jsonl"
# Every bundled set, oldest first: v1 written answer by answer, v2 composed from a separate
# phrase bank (bench/build_calibration_v2.py), v3 answers written by small models and labelled
# by reading them (bench/build_calibration_v3.py), v4 written and labelled by an independent
# author to the suite's prompts (bench/build_calibration_v4.py); each has its own frozen test
# split.
CALIBRATION_SETS = (
    "calibration-v1.jsonl",
    "calibration-v2.jsonl",
    "calibration-v3.jsonl",
    "calibration-v4.jsonl",
)
SUITE = "narratives-v1"
MEASURED_FILE = "measured-v1.json"


class Label(BaseModel):
    """The hand label of one calibration answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: AnswerOutcome
    echo: bool


class CalibrationRecord(BaseModel):
    """One labelled answer (format in docs/narratives.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    lang: Lang
    topic: str
    state: str
    kind: str
    prompt: str
    facts: tuple[Claim, ...] = ()
    flags: tuple[Claim, ...] = ()
    answer: str
    label: Label
    style: str
    # Set v3: the model that wrote the answer and the sampling seed (style names the
    # system prompt it answered under).
    model: str | None = None
    seed: int | None = None

    @classmethod
    def answering(
        cls, item: ProbeItem, rid: str, answer: str, label: Label, style: str, **extra: Any
    ) -> CalibrationRecord:
        """A record for an answer to a suite item, copying what the item asked (the set
        builders in bench/ write records this way)."""
        return cls(
            id=rid,
            lang=item.lang,
            topic=item.topic,
            state=item.state,
            kind=item.kind,
            prompt=item.prompt,
            facts=item.facts,
            flags=item.flags,
            answer=answer,
            label=label,
            style=style,
            **extra,
        )

    def case(self, twin: ProbeItem | None = None) -> Case:
        """The record as a scorer sees it; ``twin`` is the suite's item in the other language
        (its facts and flags are read too), when known."""
        return Case(
            self.prompt,
            self.lang,
            self.facts,
            self.flags,
            split_think(self.answer),
            topic=self.topic,
            state=self.state,
            twin_facts=twin.facts if twin else (),
            twin_flags=twin.flags if twin else (),
        )


def twins_of(items: Sequence[ProbeItem]) -> dict[tuple[str, str], ProbeItem]:
    """(language, prompt) of each suite item -> its twin in the other language."""
    by_twin = {(i.twin_id, i.lang): i for i in items}
    other: dict[str, Lang] = {"en": "zh", "zh": "en"}
    return {
        (i.lang, i.prompt): by_twin[(i.twin_id, other[i.lang])]
        for i in items
        if (i.twin_id, other[i.lang]) in by_twin
    }


def cases_of(records: Sequence[CalibrationRecord], suite: Path | None = None) -> list[Case]:
    """The records as a scorer sees them, each with its suite twin (bundled suite unless
    ``suite`` names one), as the stage scores a real answer."""
    twins = twins_of(load_suite(suite or bundled_suite_path(SUITE)).items)
    return [r.case(twins.get((r.lang, r.prompt))) for r in records]


def bundled_calibration_path(name: str = CALIBRATION_FILE) -> Path:
    """Where a calibration set shipped with the package lives (default: set v1)."""
    return Path(str(resources.files("modelpassport.scoring") / "data" / name))


def bundled_measured_path() -> Path:
    """Held-out figures of the model tiers, written by ``bench/calibrate_scorers.py``."""
    return Path(str(resources.files("modelpassport.scoring") / "agreement" / MEASURED_FILE))


def load_measured(path: Path) -> list[Agreement]:
    """Read stored agreement figures (a JSON list); an absent file means none measured."""
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Agreement(**{k: v for k, v in row.items() if k != "tier"}) for row in rows]
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(path, f"expected a JSON list of agreement records ({exc})") from None


def write_calibration(path: Path, records: Sequence[dict[str, Any]], *, check: bool) -> str:
    """Write a generated set as JSON lines, or with ``check`` confirm the file already holds
    exactly those records (so a set cannot drift from what built it); a line saying which.
    A stale file is an InputError naming it."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if check:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            raise InputError(str(path), "differs from what its sources build; rebuild it")
        return f"{path.name} is up to date"
    path.write_text(text, encoding="utf-8")
    return f"wrote {path} ({len(records)} records)"


def load_calibration(path: Path) -> list[CalibrationRecord]:
    """Read and validate a calibration JSONL file (InputError names file:line and field)."""
    return [record for _, record in read_jsonl(path, CalibrationRecord)]


def split_of(record_id: str) -> Split:
    """The split a record belongs to, from a hash of its id (stable, not tunable)."""
    bucket = int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_PERCENT else "dev"


def f1(
    truth: Sequence[Hashable], predicted: Sequence[Hashable], positive: Hashable
) -> float | None:
    """F1 of one class against the rest; None when the class occurs in neither list."""
    tp = sum(t == positive and p == positive for t, p in zip(truth, predicted, strict=True))
    fp = sum(t != positive and p == positive for t, p in zip(truth, predicted, strict=True))
    fn = sum(t == positive and p != positive for t, p in zip(truth, predicted, strict=True))
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def cohen_kappa(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two labellings; None when chance agreement is total (undefined)."""
    n = len(truth)
    if n == 0:
        return None
    observed = sum(t == p for t, p in zip(truth, predicted, strict=True)) / n
    left, right = Counter(truth), Counter(predicted)
    expected = sum(left[c] * right[c] for c in left) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Agreement:
    """A tier's agreement with the labels on one split."""

    scorer: str
    split: str
    n: int
    unscored: int
    refusal_f1: float | None
    evasive_f1: float | None
    echo_kappa: float | None
    outcome_accuracy: float | None
    confusion: dict[str, dict[str, int]]
    echo_recall: float | None = None


def agreement(
    records: Sequence[CalibrationRecord], scores: Sequence[Score], *, scorer: str, split: str
) -> Agreement:
    """Compare ``scores`` with the records' labels (same order)."""
    truth = [r.label.outcome for r in records]
    predicted = [s.outcome or "unscored" for s in scores]
    echo_truth = [r.label.echo for r in records]
    echo_pred = ["unscored" if s.echo is None else s.echo for s in scores]
    confusion: dict[str, dict[str, int]] = {}
    for t, p in zip(truth, predicted, strict=True):
        confusion.setdefault(t, {}).setdefault(p, 0)
        confusion[t][p] += 1
    n = len(records)
    return Agreement(
        scorer=scorer,
        split=split,
        n=n,
        unscored=sum(s.outcome is None for s in scores),
        refusal_f1=_round(f1(truth, predicted, "refusal")),
        evasive_f1=_round(f1(truth, predicted, "evasive")),
        echo_kappa=_round(cohen_kappa(echo_truth, echo_pred)),
        outcome_accuracy=_round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / n)
        if n
        else None,
        confusion=confusion,
        echo_recall=_round(_recall(echo_truth, echo_pred)),
    )


def _recall(truth: Sequence[bool], predicted: Sequence[object]) -> float | None:
    """Share of labelled echoes flagged as echo; None when no answer is labelled echo."""
    hits = [p is True for t, p in zip(truth, predicted, strict=True) if t]
    return sum(hits) / len(hits) if hits else None


async def measure(scorer: Scorer, records: Sequence[CalibrationRecord], split: Split) -> Agreement:
    """Score the records of one split with ``scorer`` and compare with the labels."""
    chosen = [r for r in records if split_of(r.id) == split]
    scores = await scorer.score(cases_of(chosen))
    return agreement(chosen, scores, scorer=f"{scorer.name}@{scorer.version}", split=split)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
