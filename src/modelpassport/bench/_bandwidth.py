"""The physical limit of decoding: every new token reads every weight once from memory.

So one stream cannot decode faster than memory bandwidth / model bytes. Comparing the measured
decode rate with that ceiling says whether a slow model is slow because of the hardware (near
the ceiling) or because of the software serving it (far below).
"""

from __future__ import annotations

import time

import numpy as np

from modelpassport.passport.sections.bench import Bandwidth

DEFAULT_BUFFER_BYTES = 256 * 1024 * 1024
"""Large enough to overflow any CPU cache, small enough for a shared laptop."""


def measure_bandwidth(nbytes: int = DEFAULT_BUFFER_BYTES, repeats: int = 5) -> tuple[float, str]:
    """Memory bandwidth of this host in GB/s: the best of ``repeats`` timed array copies.

    A copy reads and writes every byte, so it moves 2 * nbytes; the best run is kept because
    interference (other processes) only ever makes a copy slower. Single-threaded numpy: a
    multi-threaded decoder can draw more, so utilisation can exceed 1 on a busy host.
    """
    if nbytes < 1024 * 1024 or repeats < 1:
        raise ValueError("measure at least 1 MiB at least once")
    source = np.ones(nbytes // 8, dtype=np.float64)
    target = np.empty_like(source)
    np.copyto(target, source)  # fault the pages in before timing
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    moved = 2 * source.nbytes
    method = f"numpy copy of {source.nbytes // (1024 * 1024)} MiB, best of {repeats}"
    return moved / best / 1e9, method


def utilisation(
    decode_tokens_per_s: float, model_bytes: int, memory_gb_per_s: float, method: str
) -> Bandwidth:
    """Decode rate against the bandwidth ceiling of reading ``model_bytes`` per token."""
    if model_bytes <= 0 or memory_gb_per_s <= 0 or decode_tokens_per_s <= 0:
        raise ValueError("bytes, bandwidth and decode rate must be positive")
    ceiling = memory_gb_per_s * 1e9 / model_bytes
    return Bandwidth(
        memory_gb_per_s=memory_gb_per_s,
        method=method,
        model_bytes=model_bytes,
        decode_tokens_per_s=decode_tokens_per_s,
        ceiling_tokens_per_s=ceiling,
        utilisation=decode_tokens_per_s / ceiling,
    )
