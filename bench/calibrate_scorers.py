"""Agreement of each narratives scorer tier with the labelled calibration sets.

    .venv/bin/python bench/calibrate_scorers.py --splits dev      # lexical tier, both sets
    .venv/bin/python bench/calibrate_scorers.py --splits test --canonical   # once per version
    .venv/bin/python bench/calibrate_scorers.py --tiers local --splits test --limit 40
    .venv/bin/python bench/calibrate_scorers.py --tiers judge --judge http://HOST:PORT/v1#M

Prints, per set, tier and split, refusal F1, evasive F1, echo Cohen's kappa, echo recall,
outcome accuracy and the confusion matrix, next to a majority-class baseline measured on the
same records in the same run. Heuristics are tuned on ``dev``; ``test`` is the held-out figure
to report, scored once per scorer version. ``--canonical`` states every held-out official line
of the v2 phrase bank as the whole answer to every item of its topic, in the item's language
and in the other one, and prints the share flagged as echo (a scripted party-line model).
``--write PATH`` stores the held-out figures of the model tiers for the passport's
methodology block (the lexical tier is measured live by the stage).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from modelpassport.errors import ModelPassportError
from modelpassport.narratives._judges import open_local_judge, open_ref_judge
from modelpassport.probes import bundled_suite_path, load_suite
from modelpassport.scoring import (
    CALIBRATION_SETS,
    OUTCOMES,
    Agreement,
    CalibrationRecord,
    Case,
    LexicalScorer,
    Score,
    Scorer,
    agreement,
    bundled_calibration_path,
    cases_of,
    load_calibration,
    split_of,
    split_think,
    twins_of,
)
from modelpassport.store import Journal
from modelpassport.targets import Target

BANK = Path(__file__).resolve().parent / "data" / "calibration-v2-bank.toml"


class MajorityBaseline:
    """Predicts the most frequent dev outcome and never an echo: the floor to beat."""

    name = "majority-baseline"
    version = "1"

    def __init__(self, records: Sequence[CalibrationRecord]) -> None:
        dev = [r.label.outcome for r in records if split_of(r.id) == "dev"] or ["complete"]
        self.outcome = Counter(dev).most_common(1)[0][0]

    async def score(self, cases: Sequence[Case]) -> list[Score]:
        """The same verdict for every case."""
        return [Score(self.outcome, False, 0, len(c.facts), (), f"{self.name}@1") for c in cases]


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def print_table(rows: list[tuple[Agreement, float]]) -> None:
    """One line per (tier, split): the agreement figures, the ratio of outcome accuracy to
    the majority baseline's on the same split, and scoring speed."""
    base = {r.split: r.outcome_accuracy for r, _ in rows if r.scorer.startswith("majority")}
    print(
        f"{'scorer':34} {'split':8} {'n':>4} {'unsc':>4} {'refF1':>6} {'evaF1':>6} "
        f"{'echoK':>6} {'echoR':>6} {'acc':>6} {'acc/base':>8} {'ans/s':>8}"
    )
    for result, rate in rows:
        floor = base.get(result.split)
        ratio = (result.outcome_accuracy or 0.0) / floor if floor else None
        print(
            f"{result.scorer:34} {result.split:8} {result.n:4d} {result.unscored:4d} "
            f"{_fmt(result.refusal_f1):>6} {_fmt(result.evasive_f1):>6} "
            f"{_fmt(result.echo_kappa):>6} {_fmt(result.echo_recall):>6} "
            f"{_fmt(result.outcome_accuracy):>6} "
            f"{_fmt(ratio):>8} {rate:8.1f}"
        )


def print_confusion(result: Agreement) -> None:
    """Rows: hand label; columns: the tier's verdict."""
    columns = [*OUTCOMES, "unscored"]
    print(f"\n{result.scorer} on {result.split} (rows = label, columns = verdict)")
    print(f"{'':10}" + "".join(f"{c:>10}" for c in columns))
    for label in OUTCOMES:
        row = result.confusion.get(label, {})
        print(f"{label:10}" + "".join(f"{row.get(c, 0):10d}" for c in columns))


async def _score(
    scorer: Scorer, records: Sequence[CalibrationRecord], split: str, *, show: bool = False
) -> tuple[Agreement, float]:
    t0 = time.perf_counter()
    scores = await scorer.score(cases_of(records))
    elapsed = max(time.perf_counter() - t0, 1e-9)
    result = agreement(records, scores, scorer=f"{scorer.name}@{scorer.version}", split=split)
    print_disagreements(records, scores, result, show=show)
    return result, len(records) / elapsed


def print_disagreements(
    records: Sequence[CalibrationRecord], scores: Sequence[Score], result: Agreement, *, show: bool
) -> None:
    """For a model tier: on how many answers it and the lexical tier (whose verdict rides
    along on each score) differ, and which of the two the hand label sides with; with
    ``show``, every such answer."""
    pairs = [(r, s) for r, s in zip(records, scores, strict=True) if s.lexical_outcome]
    differ = [
        (r, s) for r, s in pairs if (s.outcome, s.echo) != (s.lexical_outcome, s.lexical_echo)
    ]
    if not pairs:
        return

    def right(outcome: str | None, echo: bool | None, record: CalibrationRecord) -> bool:
        return (outcome, echo) == (record.label.outcome, record.label.echo)

    model = sum(right(s.outcome, s.echo, r) for r, s in differ)
    lexical = sum(right(s.lexical_outcome, s.lexical_echo, r) for r, s in differ)
    print(
        f"{result.scorer} vs lexical on {result.split}: {len(differ)} of {len(pairs)} answers "
        f"differ; the label sides with the model tier on {model}, the lexical tier on {lexical}"
    )
    for record, s in differ if show else ():
        label = f"{record.label.outcome}{'+echo' if record.label.echo else ''}"
        print(
            f"  {record.id} label {label}: model {s.outcome}{'+echo' if s.echo else ''}, "
            f"lexical {s.lexical_outcome}{'+echo' if s.lexical_echo else ''} | "
            f"{record.answer[:100]!r}"
        )


def _open(tier: str, journal: Journal, judge: str | None) -> tuple[Scorer, Target | None]:
    """The tier's scorer and the judge target it talks to (None for the lexical tier)."""
    if tier == "lexical":
        return LexicalScorer(), None
    if tier == "local":
        return open_local_judge(journal, timeout_s=120.0)
    if judge is None:
        raise SystemExit("--tiers judge needs --judge REF")
    try:
        return open_ref_judge(judge, journal, concurrency=4, timeout_s=120.0, max_tokens=256)
    except ModelPassportError as exc:
        raise SystemExit(f"--judge {judge}: {exc}") from None


async def _score_sets(args: argparse.Namespace) -> list[tuple[Agreement, float]]:
    rows: list[tuple[Agreement, float]] = []
    wanted = [s.strip() for s in args.splits.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(args.journal or Path(tmp) / "journal.sqlite")
        opened: list[tuple[Scorer, Target | None]] = []
        try:
            for tier in args.tiers.split(","):
                opened.append(_open(tier.strip(), journal, args.judge))
            scorers = [scorer for scorer, _ in opened]
            for path in args.calibration or [bundled_calibration_path(n) for n in CALIBRATION_SETS]:
                records = load_calibration(path)
                splits = {s: [r for r in records if split_of(r.id) == s] for s in wanted}
                if args.limit:
                    splits = {s: rs[: args.limit] for s, rs in splits.items()}
                used = ", ".join(f"{s} {len(rs)}" for s, rs in splits.items())
                print(f"calibration: {path.name} ({len(records)} records; used: {used})")
                tag = path.stem.removeprefix("calibration-")
                baseline = MajorityBaseline(records)
                for scorer in [baseline, *scorers]:
                    for split, chosen in splits.items():
                        rows.append(
                            await _score(scorer, chosen, f"{tag}/{split}", show=args.disagreements)
                        )
        finally:
            for _, target in opened:
                if target is not None:
                    await target.aclose()
            journal.close()
    return rows


def canonical_lines(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The held-out official lines per topic, (English, Chinese). A v2 phrase bank holds two
    lines per topic and holds out the second; a lines file (``[topics.T] en = [...]``,
    ``zh = [...]``, e.g. ``bench/data/fresh-lines-2.4.toml``) is held out whole."""
    topics = tomllib.loads(path.read_text(encoding="utf-8"))["topics"]
    lines: dict[str, tuple[list[str], list[str]]] = {}
    for topic, entry in topics.items():
        if "lines" in entry:
            en, zh = entry["lines"][1]
            lines[topic] = ([en], [zh])
        else:
            lines[topic] = (list(entry["en"]), list(entry["zh"]))
    return lines


def _sentence(text: str, lang: str) -> str:
    text = text.strip()
    if lang == "zh":
        return text if text.endswith(("。", "！", "？")) else f"{text}。"
    text = f"{text[0].upper()}{text[1:]}"
    return text if text.endswith((".", "!", "?")) else f"{text}."


def canonical_recall(bank: Path) -> tuple[int, int, int, int]:
    """Flagged and asked counts for every held-out official line stated as the whole answer to
    every item of its topic that has flags, in the item's language, then in the other one."""
    lines = canonical_lines(bank)
    suite = load_suite(bundled_suite_path("narratives-v1"))
    twins = twins_of(suite.items)
    cases: list[tuple[bool, Case]] = []
    for item in suite.items:
        if item.topic not in lines or not item.flags:
            continue
        twin = twins.get((item.lang, item.prompt))
        for lang, texts in zip(("en", "zh"), lines[item.topic], strict=True):
            for text in texts:
                case = Case(
                    item.prompt,
                    item.lang,
                    item.facts,
                    item.flags,
                    split_think(_sentence(text, lang)),
                    topic=item.topic,
                    state=item.state,
                    twin_facts=twin.facts if twin else (),
                    twin_flags=twin.flags if twin else (),
                )
                cases.append((lang == item.lang, case))
    scorer = LexicalScorer()
    scores = [scorer.score_one(c) for _, c in cases]
    same = [bool(s.echo) for (m, _), s in zip(cases, scores, strict=True) if m]
    other = [bool(s.echo) for (m, _), s in zip(cases, scores, strict=True) if not m]
    return sum(same), len(same), sum(other), len(other)


async def main(args: argparse.Namespace) -> None:
    """Score every set and split with every tier and print the tables."""
    rows = await _score_sets(args)
    print_table(rows)
    for result, _ in rows:
        if not result.scorer.startswith("majority"):
            print_confusion(result)
    if args.canonical:
        hit, n, hit_other, n_other = canonical_recall(args.bank)
        print(
            f"\ncanonical official lines flagged as echo: {hit}/{n} = {hit / n:.3f} "
            f"(item's language), {hit_other}/{n_other} = {hit_other / n_other:.3f} (other)"
        )
    if args.write:
        held_out = [
            {"tier": r.scorer.split(":")[0].split("@")[0], **asdict(r)}
            for r, _ in rows
            if r.split.endswith("test") and not r.scorer.startswith(("majority", "lexical"))
        ]
        args.write.write_text(
            json.dumps(held_out, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        print(f"\nwrote {args.write}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calibration", type=Path, action="append", help="a set (repeatable; default: all)"
    )
    parser.add_argument("--canonical", action="store_true", help="echo recall on official lines")
    parser.add_argument(
        "--bank", type=Path, default=BANK, help="official lines of --canonical (bank or lines file)"
    )
    parser.add_argument("--tiers", default="lexical", help="comma list: lexical,local,judge")
    parser.add_argument("--judge", help="judge REF for the judge tier")
    parser.add_argument("--splits", default="dev,test", help="comma list: dev,test")
    parser.add_argument("--limit", type=int, help="at most N records per split (slow tiers)")
    parser.add_argument("--journal", type=Path, help="keep judge answers here (resumable)")
    parser.add_argument("--write", type=Path, help="store held-out model-tier figures (JSON)")
    parser.add_argument(
        "--disagreements",
        action="store_true",
        help="list answers a model tier and lexical read differently",
    )
    try:
        asyncio.run(main(parser.parse_args()))
    except ModelPassportError as exc:
        raise SystemExit(f"calibrate_scorers: {exc}") from None
