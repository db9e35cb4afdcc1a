"""How long the HTML report takes for a full-suite passport, against writing its JSON.

The report is rendered once per audit and once per passport in ``compare``; this measures
that it stays a small cost next to the passport's own JSON serialisation (the baseline,
measured in the same run on the same passport). The passport has the full narratives suite's
number of item records (592 items x ``--samples``), a bench sweep, a scan and an identity
section.

    .venv/bin/python bench/bench_report.py --samples 1 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.report.conftest import (
    bench_section,
    identity_section,
    make_passport,
    narratives_section,
    scan_section,
)

from modelpassport.passport import Passport
from modelpassport.report import render_compare_html, render_html

SUITE_ITEMS = 592


def full_passport(samples: int) -> Passport:
    """A passport whose narratives section holds a full suite's worth of answers."""
    base = narratives_section()
    records = []
    while len(records) < SUITE_ITEMS * samples:
        for rec in base.items:
            n = len(records)
            records.append(
                rec.model_copy(
                    update={
                        "id": f"{rec.topic}.{n:05d}.{rec.lang}",
                        "topic": f"{rec.topic}_{n % 40:02d}",
                        "answer": ("A long, factual answer. " * 25)[:600],
                    }
                )
            )
    narratives = base.model_copy(update={"items": records[: SUITE_ITEMS * samples]})
    return make_passport(
        identity=identity_section(),
        narratives=narratives,
        bench=bench_section(),
        scan=scan_section(),
    )


def _time(fn: object, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    """Print median seconds for the JSON baseline, the report and a 3-way compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    passport = full_passport(args.samples)
    baseline = _time(
        lambda: json.dumps(
            passport.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False
        ),
        args.rounds,
    )
    report = _time(lambda: render_html(passport), args.rounds)
    trio = _time(lambda: render_compare_html([passport, passport, passport]), args.rounds)
    size = len(render_html(passport).encode("utf-8"))
    print(f"items {len(passport.findings.narratives.items)}, report {size / 1024:.0f} KiB")
    print(f"passport JSON (baseline) {baseline * 1000:8.1f} ms")
    print(f"HTML report              {report * 1000:8.1f} ms   ratio {report / baseline:.2f}x")
    print(f"compare of 3             {trio * 1000:8.1f} ms   ratio {trio / baseline:.2f}x")


if __name__ == "__main__":
    main()
