"""File hashing: modelpassport's parallel streamed sha256 vs ``sha256sum`` on the same files.

Writes a set of files (default 6 x 128 MiB of pseudo-random bytes) to a temporary folder,
reads them once so both contenders find them in the page cache, then alternates rounds of
``sha256sum FILES`` (one process, files one after the other) and ``hash_files`` (threads,
one file per thread), checks that both give the same digests, and prints the best of each
and the throughput ratio (goal >= 0.9). ``openssl dgst -sha256`` (sequential, same SHA code
as hashlib) is a second baseline when installed: it separates the gain from threads from
the gain from the SHA implementation. A single-file round shows the no-parallelism case.

    .venv/bin/python bench/bench_hash.py [--files 6] [--mib 128] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from modelpassport.scan import hash_files


def _write_files(folder: Path, count: int, mib: int) -> list[Path]:
    paths = []
    block = os.urandom(1 << 20)
    for i in range(count):
        path = folder / f"shard-{i:05d}.bin"
        with path.open("wb") as fh:
            for j in range(mib):
                # Vary each MiB cheaply so files differ without paying for urandom each time.
                fh.write(block[j % 251 :] + block[: j % 251])
        paths.append(path)
    return paths


def _sha256sum(paths: list[Path]) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    out = subprocess.run(
        ["sha256sum", *map(str, paths)], check=True, capture_output=True, text=True
    ).stdout
    elapsed = time.perf_counter() - t0
    digests = {line.split()[1]: line.split()[0] for line in out.splitlines()}
    return elapsed, digests


def _openssl(paths: list[Path]) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    elapsed = time.perf_counter() - t0
    digests = {line.split()[1].lstrip("*"): line.split()[0] for line in out.splitlines()}
    return elapsed, digests


def _ours(paths: list[Path]) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    result = hash_files(paths)
    elapsed = time.perf_counter() - t0
    return elapsed, {str(p): digest for p, (_, digest) in result.items()}


def _compare(label: str, paths: list[Path], rounds: int) -> None:
    total = sum(p.stat().st_size for p in paths)
    for p in paths:  # warm the page cache for both contenders
        with p.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    base_times, our_times, ssl_times = [], [], []
    with_openssl = shutil.which("openssl") is not None
    for _ in range(rounds):
        t_base, d_base = _sha256sum(paths)
        t_ours, d_ours = _ours(paths)
        if d_base != d_ours:
            raise SystemExit("digests differ between sha256sum and hash_files")
        base_times.append(t_base)
        our_times.append(t_ours)
        if with_openssl:
            t_ssl, d_ssl = _openssl(paths)
            if d_ssl != d_ours:
                raise SystemExit("digests differ between openssl and hash_files")
            ssl_times.append(t_ssl)
    base, ours = min(base_times), min(our_times)
    mib = total / (1 << 20)
    print(f"{label}: {len(paths)} file(s), {mib:.0f} MiB, best of {rounds}")
    print(f"  sha256sum       {base:7.3f} s  {mib / base:8.1f} MiB/s")
    if ssl_times:
        ssl = min(ssl_times)
        print(f"  openssl dgst    {ssl:7.3f} s  {mib / ssl:8.1f} MiB/s  (second baseline)")
    print(f"  hash_files      {ours:7.3f} s  {mib / ours:8.1f} MiB/s")
    print(f"  ratio (throughput, modelpassport / sha256sum) = {base / ours:.2f}  (goal >= 0.9)")


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--mib", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("sha256sum") is None:
        raise SystemExit("sha256sum (coreutils) is not installed")
    print(f"cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="mp-bench-hash-") as tmp:
        paths = _write_files(Path(tmp), args.files, args.mib)
        _compare("many files", paths, args.rounds)
        _compare("one file", paths[:1], args.rounds)


if __name__ == "__main__":
    main()
