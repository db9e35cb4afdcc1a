"""Side by side with guidellm: the bench load generator and guidellm against known latencies.

Why: a load generator is only trustworthy if it reads back latencies that are known. One
streaming server on 127.0.0.1 (``bench_loadgen.start_server``, in its own process) holds back
the first content delta by a fixed TTFT and spaces the rest by a fixed inter-token latency, so
the true TTFT, ITL, requests/s (concurrency / (TTFT + (tokens - 1) * ITL)) and output tokens/s
are known. The same closed-loop concurrency sweep runs through modelpassport's load generator
(``modelpassport.bench.closed_loop`` + ``summarise``) and through guidellm's CLI; the table
gives both tools' figures next to the truth and the ratio of the two tools.

guidellm needs torch, so it lives in its own virtual environment (default /tmp/guidellm-venv,
created on first run: ``torch==2.13.0`` first, which pip takes from the machine's local CPU
wheel, then guidellm; never a dependency of modelpassport). It runs offline: its synthetic
prompts need a Hugging Face tokenizer, so a byte-level one (one token per byte, no merges) is
written locally as ``tokenizer.json``.

    .venv/bin/python bench/bench_guidellm.py [--levels 1,2,4,8] [--requests 64]
        [--ttft-ms 50] [--itl-ms 10] [--tokens 32] [--venv /tmp/guidellm-venv] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import venv
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_loadgen import start_server
from modelpassport.bench import Level, closed_loop, summarise
from modelpassport.passport.sections.bench import Slo
from modelpassport.targets import ChatRequest, Limits, Message, TargetSpec, open_target

PINS = ("torch==2.13.0", "guidellm==0.8.1")
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


@dataclass(frozen=True)
class Figures:
    """One tool's reading at one concurrency level (times in ms)."""

    ttft_ms: float
    itl_ms: float
    output_tok_s: float
    req_s: float


def _ensure_venv(path: Path) -> Path:
    """Create guidellm's own environment once; torch first so pip takes the local CPU wheel."""
    bin_dir = path / "bin"
    if not (bin_dir / "guidellm").exists():
        print(f"creating {path} and installing {', '.join(PINS)} ...", file=sys.stderr)
        venv.create(path, with_pip=True)
        for pin in PINS:
            subprocess.run([str(bin_dir / "pip"), "install", "-q", pin], check=True)
    return bin_dir


def _byte_tokenizer(folder: Path) -> None:
    """Write a byte-level tokenizer (256 byte symbols, no merges) that transformers can load."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    symbols = dict(zip(printable, printable, strict=True))
    extra = 0
    for byte in range(256):
        if byte not in symbols:
            symbols[byte] = 256 + extra
            extra += 1
    vocab = {chr(code): i for i, code in enumerate(sorted(symbols.values()))}
    vocab["<eos>"] = len(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": vocab["<eos>"],
                "content": "<eos>",
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
        ],
        "normalizer": None,
        "pre_tokenizer": {**byte_level, "use_regex": False},
        "post_processor": None,
        "decoder": {**byte_level, "use_regex": False},
        "model": {"type": "BPE", "vocab": vocab, "merges": [], "ignore_merges": False},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<eos>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))


def _request(index: int, tokens: int) -> ChatRequest:
    text = f"Request {index}. Continue the story of the harbour town."
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=tokens)


async def _ours(
    base_url: str, concurrency: int, requests: int, tokens: int
) -> tuple[Figures, float]:
    """One level through modelpassport's closed loop and summary, as the bench stage does.

    The ITL figure is the bench stage's TPOT, ``(e2e - ttft) / (tokens - 1)`` per request, which
    is what guidellm calls ITL; the p50 over every single gap between deltas comes second.
    """
    spec = TargetSpec("openai_compat", "bench", base_url=base_url)
    target = open_target(spec, Limits(concurrency=concurrency, timeout_s=60, max_retries=0))
    try:
        run = await closed_loop(
            target,
            lambda index: _request(index, tokens),
            concurrency=concurrency,
            requests=requests,
            timeout_s=60,
        )
    finally:
        await target.aclose()
    point = summarise(
        run, Level(concurrency=concurrency), max_tokens=tokens, slo=Slo(), tokenizer=None
    )
    if not point.valid or None in (point.ttft_s.p50, point.tpot_s.p50, point.itl_s.p50):
        raise SystemExit(f"benchmark point invalid: {point.invalid_reasons} {point.errors}")
    figures = Figures(
        ttft_ms=(point.ttft_s.p50 or 0.0) * 1000,
        itl_ms=(point.tpot_s.p50 or 0.0) * 1000,
        output_tok_s=point.output_tokens_per_s or 0.0,
        req_s=point.requests_per_s or 0.0,
    )
    return figures, (point.itl_s.p50 or 0.0) * 1000


def _guidellm(
    bin_dir: Path, base_url: str, levels: list[int], requests: int, tokens: int, work: Path
) -> tuple[dict[int, Figures], dict[int, float]]:
    """Run guidellm's concurrent profile over all levels; its figures and TPOT p50 per level."""
    _byte_tokenizer(work / "tokenizer")
    out = work / "guidellm.json"
    backend = (
        f"kind=openai_http,target={base_url.removesuffix('/v1')},model=bench,"
        f"validate_backend=false,http2=false,max_tokens={tokens}"
    )
    command = [
        str(bin_dir / "guidellm"),
        "run",
        "--backend",
        backend,
        "--profile",
        "kind=concurrent",
        "--override",
        "profile.streams",
        ",".join(map(str, levels)),
        "--constraint",
        f"kind=max_requests,count={requests}",
        "--tokenizer",
        f"kind=huggingface_auto,model={work / 'tokenizer'}",
        "--data",
        f"kind=synthetic_text,prompt_tokens=64,output_tokens={tokens}",
        "--output",
        f"kind=json,path={out}",
        "--disable-console",
    ]
    env = {**os.environ, **OFFLINE}
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"guidellm failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[int, Figures] = {}
    tpot: dict[int, float] = {}
    for benchmark in json.loads(out.read_text())["benchmarks"]:
        streams = int(benchmark["config"]["strategy"]["streams"])
        metrics = benchmark["metrics"]

        def ok(name: str, metrics: dict[str, dict[str, dict[str, float]]] = metrics) -> float:
            return metrics[name]["successful"]["median"]

        figures[streams] = Figures(
            ttft_ms=ok("time_to_first_token_ms"),
            itl_ms=ok("inter_token_latency_ms"),
            output_tok_s=metrics["output_tokens_per_second"]["successful"]["mean"],
            req_s=metrics["requests_per_second"]["successful"]["mean"],
        )
        tpot[streams] = ok("time_per_output_token_ms")
    return figures, tpot


def _versions(bin_dir: Path) -> str:
    code = (
        "import importlib.metadata as m; print(' '.join(f'{p}=' + m.version(p) "
        "for p in ['guidellm', 'torch', 'transformers', 'httpx']))"
    )
    done = subprocess.run([str(bin_dir / "python"), "-c", code], capture_output=True, text=True)
    return done.stdout.strip()


def _table(
    levels: list[int],
    truth: dict[int, Figures],
    ours: dict[int, Figures],
    theirs: dict[int, Figures],
) -> str:
    rows = [
        "| concurrency | figure | truth | modelpassport | guidellm | modelpassport / guidellm |",
        "|---|---|---|---|---|---|",
    ]
    names = (
        ("ttft_ms", "TTFT p50 ms"),
        ("itl_ms", "ITL p50 ms (per request)"),
        ("output_tok_s", "output tok/s"),
        ("req_s", "req/s"),
    )
    for level in levels:
        for field, label in names:
            a = getattr(ours[level], field)
            b = getattr(theirs[level], field)
            ratio = f"{a / b:.3f}" if b else "n/a"
            rows.append(
                f"| {level} | {label} | {getattr(truth[level], field):.2f} | {a:.2f} | "
                f"{b:.2f} | {ratio} |"
            )
    return "\n".join(rows)


def main() -> None:
    """Start the delayed server, sweep with both tools, print versions and the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", default="1,2,4,8", help="concurrency levels, comma-separated")
    parser.add_argument("--requests", type=int, default=64, help="requests per level")
    parser.add_argument("--ttft-ms", type=float, default=50.0)
    parser.add_argument("--itl-ms", type=float, default=10.0)
    parser.add_argument("--tokens", type=int, default=32, help="output tokens per answer")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/guidellm-venv"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    bin_dir = _ensure_venv(args.venv)
    e2e_s = (args.ttft_ms + (args.tokens - 1) * args.itl_ms) / 1000
    truth = {
        level: Figures(
            ttft_ms=args.ttft_ms,
            itl_ms=args.itl_ms,
            output_tok_s=level * args.tokens / e2e_s,
            req_s=level / e2e_s,
        )
        for level in levels
    }
    server, base_url = start_server(args.tokens, args.ttft_ms / 1000, args.itl_ms / 1000)
    try:
        measured = {
            level: asyncio.run(_ours(base_url, level, args.requests, args.tokens))
            for level in levels
        }
        ours = {level: figures for level, (figures, _) in measured.items()}
        with tempfile.TemporaryDirectory(prefix="mp-guidellm-") as work:
            theirs, tpot = _guidellm(
                bin_dir, base_url, levels, args.requests, args.tokens, Path(work)
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"server: TTFT {args.ttft_ms} ms, ITL {args.itl_ms} ms, {args.tokens} tokens; "
        f"{args.requests} requests per level; {_versions(bin_dir)}"
    )
    print(_table(levels, truth, ours, theirs))
    print("modelpassport ITL p50 ms over every gap between deltas: ", end="")
    print(", ".join(f"c={level} {measured[level][1]:.2f}" for level in levels))
    print("guidellm TPOT p50 ms (request latency / output tokens): ", end="")
    print(", ".join(f"c={level} {tpot[level]:.2f}" for level in levels))
    if args.json:
        figures = {
            name: {str(level): asdict(row[level]) for level in levels}
            for name, row in (("truth", truth), ("modelpassport", ours), ("guidellm", theirs))
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
