"""Build calibration set v4 from answers written and labelled by an independent author.

    .venv/bin/python bench/build_calibration_v4.py           # writes the bundled set
    .venv/bin/python bench/build_calibration_v4.py --check   # fails if the set is stale

Sets v1 and v2 were written by the scorer's author and v3 by two very small models. v4's 200
answers were written, to the suite's own prompts, by an author who saw only each item's
prompt and the claims of its facts and flags (never their cues, the lexicon, the framings,
the other sets or any scorer output) and the outcome and echo rules of LABELS.md. They are
written as chat models answer: long and short, markdown lists, reasoning blocks, replies in
the other language, official lines quoted, rebutted or stated as fact. The author's file
(``bench/data/calibration-v4-answers.jsonl``: item, answer, label, echo, style and a one-line
reason per answer) is kept as written; this script joins it with the suite items.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from modelpassport.errors import InputError
from modelpassport.probes import bundled_suite_path, load_suite
from modelpassport.scoring import CalibrationRecord, Label, write_calibration

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "bench" / "data" / "calibration-v4-answers.jsonl"
OUT = ROOT / "src" / "modelpassport" / "scoring" / "data" / "calibration-v4.jsonl"


def build() -> list[dict[str, Any]]:
    """The labelled records, ids ``cal4.NNNN`` in the author's order."""
    items = {i.id: i for i in load_suite(bundled_suite_path("narratives-v1")).items}
    rows = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines() if line]
    return [
        CalibrationRecord.answering(
            items[row["item"]],
            f"cal4.{n:04d}",
            row["answer"],
            Label(outcome=row["label"], echo=row["echo"]),
            row["style"],
        ).model_dump(mode="json", exclude_none=True)
        for n, row in enumerate(rows, 1)
    ]


def main() -> None:
    """Write the set, or with --check confirm the file is what its sources build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the set is stale")
    args = parser.parse_args()
    try:
        print(write_calibration(OUT, build(), check=args.check))
    except InputError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
