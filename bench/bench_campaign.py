"""Campaign memory against the number of items: flat, or not?

A campaign audits several models on several OpenAI-compatible endpoints (in-process asyncio
servers on 127.0.0.1 that answer every chat request at once with a canned completion, the
protocol of ``bench_runner.py``), with the narratives stage. Three configurations run, each in
a fresh child process so their peaks do not mix:

- ``base``: E endpoints, one model each, S probe items per model;
- ``items x10``: the same models with ten times the items each (capped by the suite's size);
- ``models x10``: ten times the models (ten per endpoint), S items each.

Each child reports the peak of memory allocated by Python while the campaign ran
(``tracemalloc``, started after imports, so it counts the campaign and not the interpreter)
and the process's peak resident set (``ru_maxrss``). The ratios against ``base`` are printed.

    .venv/bin/python bench/bench_campaign.py [--endpoints 4] [--sample 59] [--factor 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench_runner import _Http
from modelpassport.campaign import execute_campaign, parse_campaign


def _campaign_toml(ports: list[int], models_per_endpoint: int, sample: int) -> str:
    lines = [
        'title = "Memory"',
        'stages = ["narratives"]',
        f"sample = {sample}",
        "concurrency = 16",
        "parallel = 64",
        "options = { narratives = { max_tokens = 64 } }",
    ]
    for port in ports:
        for m in range(models_per_endpoint):
            lines += [
                "[[models]]",
                f'name = "p{port}-m{m}"',
                f'ref = "http://127.0.0.1:{port}/v1#m{m}"',
            ]
    return "\n".join(lines) + "\n"


async def _child(endpoints: int, models_per_endpoint: int, sample: int) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(_Http, "127.0.0.1", 0) for _ in range(endpoints)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    with tempfile.TemporaryDirectory(prefix="mp-bench-campaign-") as tmp:
        folder = Path(tmp)
        text = _campaign_toml(ports, models_per_endpoint, sample)
        campaign = parse_campaign(text, folder / "campaign.toml")
        tracemalloc.start()
        t0 = time.perf_counter()
        outcome = await execute_campaign(campaign, folder / "out")
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        items = 0
        for result in outcome.results:
            assert result.status == "complete", (result.name, result.message)
            assert result.passport is not None
            data = json.loads(result.passport.read_text())
            items += data["run"]["stages"]["narratives"]["requests"]
    for server in servers:
        server.close()
    return {
        "items": items,
        "models": endpoints * models_per_endpoint,
        "seconds": seconds,
        "traced_peak_mib": peak / 2**20,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(endpoints: int, models: int, sample: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(endpoints), str(models), str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=4)
    parser.add_argument("--sample", type=int, default=59)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(*args.child))))
        return
    configs = {
        "base": (args.endpoints, 1, args.sample),
        f"items x{args.factor}": (args.endpoints, 1, args.sample * args.factor),
        f"models x{args.factor}": (args.endpoints, args.factor, args.sample),
    }
    results = {name: _run_child(*config) for name, config in configs.items()}
    base = results["base"]
    print(
        f"{'config':<12} {'models':>6} {'items':>6} {'s':>6} {'traced MiB':>10} "
        f"{'ratio':>6} {'RSS MiB':>8} {'ratio':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:<12} {r['models']:>6.0f} {r['items']:>6.0f} {r['seconds']:>6.1f} "
            f"{r['traced_peak_mib']:>10.1f} {r['traced_peak_mib'] / base['traced_peak_mib']:>6.2f} "
            f"{r['maxrss_mib']:>8.1f} {r['maxrss_mib'] / base['maxrss_mib']:>6.2f}"
        )


if __name__ == "__main__":
    main()
