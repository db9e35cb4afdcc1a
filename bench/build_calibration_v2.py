"""Build calibration set v2 by composing answers from an independent phrase bank.

    .venv/bin/python bench/build_calibration_v2.py           # writes the set
    .venv/bin/python bench/build_calibration_v2.py --check   # fails if the file is stale

Set v1 was written answer by answer while the suite's cues were being revised; this set is
built differently: each answer is composed from entries of
``bench/data/calibration-v2-bank.toml`` (refusals, evasions, attribution frames, rebuttals,
fillers, and per topic one fact sentence and two official lines) following a style whose
label follows from what was put in, under LABELS.md. Generic entries alternate between
splits (even entries dev, odd entries test) and each topic's first line serves dev, its
second test, so the frozen test split shares no refusal, evasion, linking phrasing or
official line with dev; only the fact sentences are shared. Deterministic: a fixed seed,
records in a fixed order.
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelpassport.errors import InputError
from modelpassport.probes import ProbeItem, bundled_suite_path, load_suite
from modelpassport.scoring import split_of, twins_of, write_calibration

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "bench" / "data" / "calibration-v2-bank.toml"
OUT = ROOT / "src" / "modelpassport" / "scoring" / "data" / "calibration-v2.jsonl"
SEED = 20261202
STYLES_PER_ITEM_LANG = 7


@dataclass(frozen=True)
class Parts:
    """What one answer is made of, for one language and split."""

    fact: str
    fact_other: str
    lines: list[str]
    lines_other: list[str]
    pick: Callable[[str, str], str]
    prompt: str
    lang: str


def _sentence(line: str, lang: str) -> str:
    return f"{line[0].upper()}{line[1:]}." if lang == "en" else f"{line}。"


def _join(parts: list[str], lang: str) -> str:
    return (" " if lang == "en" else "").join(parts)


def _other(lang: str) -> str:
    return "zh" if lang == "en" else "en"


# style -> (builder, outcome, echo). Each builder returns the answer text.
def _styles() -> dict[str, tuple[Callable[[Parts, random.Random], str], str, bool]]:
    def line(p: Parts, r: random.Random) -> str:
        return _sentence(r.choice(p.lines), p.lang)

    return {
        "factual": (
            lambda p, r: _join([p.fact, p.pick(p.lang, "filler")], p.lang),
            "complete",
            False,
        ),
        "party_line": (
            lambda p, r: _join([line(p, r), p.pick(p.lang, "filler")], p.lang),
            "evasive",
            True,
        ),
        "party_line_only": (line, "evasive", True),
        "fact_and_line": (lambda p, r: _join([p.fact, line(p, r)], p.lang), "complete", True),
        "reported_line": (
            lambda p, r: _join(
                [p.fact, p.pick(p.lang, "report").format(line=r.choice(p.lines))], p.lang
            ),
            "complete",
            False,
        ),
        "rebutted_line": (
            lambda p, r: _join(
                [p.pick(p.lang, "rebut").format(line=r.choice(p.lines)), p.fact], p.lang
            ),
            "complete",
            False,
        ),
        "rebuttal_no_fact": (
            lambda p, r: _join(
                [p.pick(p.lang, "rebut").format(line=r.choice(p.lines)), p.pick(p.lang, "evasion")],
                p.lang,
            ),
            "evasive",
            False,
        ),
        "refusal": (lambda p, r: p.pick(p.lang, "refusal"), "refusal", False),
        "refusal_line": (
            lambda p, r: _join([p.pick(p.lang, "refusal"), line(p, r)], p.lang),
            "refusal",
            True,
        ),
        "evasive": (lambda p, r: p.pick(p.lang, "evasion"), "evasive", False),
        "other_language_fact": (lambda p, r: p.fact_other, "complete", False),
        "other_language_refusal": (
            lambda p, r: p.pick(_other(p.lang), "refusal"),
            "refusal",
            False,
        ),
        "other_language_line": (
            lambda p, r: _sentence(r.choice(p.lines_other), _other(p.lang)),
            "evasive",
            True,
        ),
        "restated_prompt": (
            lambda p, r: (
                _join([p.prompt.rstrip("?？。. "), p.pick(p.lang, "evasion")], p.lang)
                if p.lang == "zh"
                else _join(
                    [f"You ask: {p.prompt.rstrip('?. ')}.", p.pick(p.lang, "evasion")], p.lang
                )
            ),
            "evasive",
            False,
        ),
    }


def _halves(bank: dict[str, Any]) -> Callable[[str, str, str, random.Random], str]:
    def pick(split: str, lang: str, kind: str, rng: random.Random) -> str:
        entries: list[str] = bank[lang][kind]
        half = entries[0::2] if split == "dev" else entries[1::2]
        return rng.choice(half)

    return pick


def _fact_index(item: ProbeItem, twin: ProbeItem | None, fact: str) -> int | None:
    english = item if item.lang == "en" else twin
    if english is None:
        return None
    for n, claim in enumerate(english.facts):
        if claim.claim == fact:
            return n
    return None


def build() -> list[dict[str, Any]]:
    """Every record of the set, in order."""
    bank = tomllib.loads(BANK.read_text(encoding="utf-8"))
    items = load_suite(bundled_suite_path("narratives-v1")).items
    twins = twins_of(items)
    pick_from = _halves(bank)
    styles = _styles()
    names = sorted(styles)
    rng = random.Random(SEED)
    records: list[dict[str, Any]] = []
    for topic in sorted(bank["topics"]):
        entry = bank["topics"][topic]
        for lang in ("en", "zh"):
            pool = [
                i
                for i in items
                if i.topic == topic
                and i.lang == lang
                and i.flags
                and _fact_index(i, twins.get((i.lang, i.prompt)), entry["fact"]) is not None
            ]
            if not pool:
                raise SystemExit(f"{topic}: no {lang} item states the bank's fact")
            chosen = rng.sample(names, STYLES_PER_ITEM_LANG)
            for style in chosen:
                item = rng.choice(pool)
                number = len(records) + 1
                rid = f"cal2.{number:04d}"
                split = split_of(rid)
                rng_answer = random.Random(f"{SEED}:{rid}")

                def pick(
                    lg: str, kind: str, _s: str = split, _r: random.Random = rng_answer
                ) -> str:
                    return pick_from(_s, lg, kind, _r)

                pair = entry["lines"][0 if split == "dev" else 1]
                parts = Parts(
                    fact=entry[lang],
                    fact_other=entry[_other(lang)],
                    lines=[pair[0 if lang == "en" else 1]],
                    lines_other=[pair[1 if lang == "en" else 0]],
                    pick=pick,
                    prompt=item.prompt,
                    lang=lang,
                )
                builder, outcome, echo = styles[style]
                records.append(
                    {
                        "id": rid,
                        "lang": lang,
                        "topic": topic,
                        "state": item.state,
                        "kind": item.kind,
                        "prompt": item.prompt,
                        "facts": [c.model_dump() for c in item.facts],
                        "flags": [c.model_dump() for c in item.flags],
                        "answer": builder(parts, rng_answer),
                        "label": {"outcome": outcome, "echo": echo},
                        "style": style,
                    }
                )
    return records


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
