"""Bench: a load generator for streaming targets, honesty checks, and the cost model.

``BenchStage`` is the passport stage; the pieces are public for scripts and benchmarks that
drive a target directly (``closed_loop``, ``open_loop``, ``summarise``).
"""

from ._bandwidth import measure_bandwidth, utilisation
from ._cost import blend
from ._honesty import check
from ._loadgen import RequestRecord, RunResult, closed_loop, measure_one, open_loop, poisson_offsets
from ._metrics import Level, distribution, summarise
from ._options import BenchOptions
from ._prompts import PromptMaker
from ._stage import BenchStage
from ._tokens import GgufTokenizer, TokenCount, count_tokens

__all__ = [
    "BenchOptions",
    "BenchStage",
    "GgufTokenizer",
    "Level",
    "PromptMaker",
    "RequestRecord",
    "RunResult",
    "TokenCount",
    "blend",
    "check",
    "closed_loop",
    "count_tokens",
    "distribution",
    "measure_bandwidth",
    "measure_one",
    "open_loop",
    "poisson_offsets",
    "summarise",
    "utilisation",
]
