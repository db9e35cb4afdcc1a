"""Results of other harnesses, read as evidence that modelpassport did not produce.

lm-evaluation-harness ``results.json`` (aggregate metrics per task, with their standard
errors and sample counts), its ``--log_samples`` JSONL files (per-sample 0/1 metrics, turned
into k/n with a Wilson interval), and Inspect ``.eval`` logs (a zip whose ``header.json``
holds the scores). Every row is labelled "not run by modelpassport": it is never a fact and
never enters this stage's scores. Files are size-capped and parsed as data only.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from typing import Any

from modelpassport.errors import InputError
from modelpassport.passport import Interval, Rate
from modelpassport.passport.sections.capability import ExternalResult
from modelpassport.scoring import wilson

MAX_BYTES = 64 << 20
LABEL = "not run by modelpassport"


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"expected at most {MAX_BYTES >> 20} MiB, got {size} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"expected a readable file ({exc.strerror})") from None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _lm_eval_results(path: Path, data: dict[str, Any]) -> list[ExternalResult]:
    results = data.get("results")
    if not isinstance(results, dict):
        raise InputError(path, "expected an lm-evaluation-harness results.json with 'results'")
    samples = data.get("n-samples") if isinstance(data.get("n-samples"), dict) else {}
    rows = []
    for task, metrics in sorted(results.items()):
        if not isinstance(metrics, dict):
            continue
        counts = samples.get(task) if isinstance(samples, dict) else None
        n = counts.get("effective") if isinstance(counts, dict) else None
        for key, raw in sorted(metrics.items()):
            value = _number(raw)
            if value is None or "_stderr" in key:
                continue
            metric, _, filt = key.partition(",")
            stderr = _number(metrics.get(f"{metric}_stderr,{filt}" if filt else f"{metric}_stderr"))
            rows.append(
                ExternalResult(
                    harness="lm-evaluation-harness",
                    task=str(task),
                    metric=key,
                    value=value,
                    stderr=stderr,
                    n=n if isinstance(n, int) else None,
                    source=path.name,
                    label=LABEL,
                )
            )
    return rows


def _lm_eval_samples(path: Path, raw: bytes) -> list[ExternalResult]:
    counts: dict[str, list[int]] = {}
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(f"{path}:{number}", "expected one JSON object per line") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}", "expected a JSON object")
        for key in ("acc", "exact_match", "pass@1", "acc_norm"):
            value = _number(record.get(key))
            if value in (0.0, 1.0):
                cell = counts.setdefault(key, [0, 0])
                cell[0] += value == 1.0
                cell[1] += 1
    task = path.stem.removeprefix("samples_").rsplit("_", 1)[0]
    rows = []
    for metric, (k, n) in sorted(counts.items()):
        low, high = wilson(k, n)
        rows.append(
            ExternalResult(
                harness="lm-evaluation-harness",
                task=task,
                metric=metric,
                value=k / n,
                n=n,
                rate=Rate(
                    k=k, n=n, value=k / n, interval=Interval(low=low, high=high, method="wilson")
                ),
                source=path.name,
                label=LABEL,
            )
        )
    return rows


def _inspect(path: Path) -> list[ExternalResult]:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("header.json")
            if info.file_size > MAX_BYTES:
                raise InputError(path, "expected a header.json under the size cap")
            header = json.loads(archive.read(info))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(path, "expected an Inspect .eval log (zip with header.json)") from None
    if not isinstance(header, dict):
        raise InputError(path, "expected header.json to be a JSON object")
    task = str((header.get("eval") or {}).get("task", path.stem))
    results = header.get("results") or {}
    n = results.get("completed_samples") if isinstance(results, dict) else None
    rows = []
    for score in (results.get("scores") or []) if isinstance(results, dict) else []:
        if not isinstance(score, dict):
            continue
        for name, metric in sorted((score.get("metrics") or {}).items()):
            value = _number(metric.get("value")) if isinstance(metric, dict) else None
            if value is None:
                continue
            rows.append(
                ExternalResult(
                    harness="inspect",
                    task=task,
                    metric=f"{score.get('name', 'score')}/{name}",
                    value=value,
                    n=n if isinstance(n, int) else None,
                    source=path.name,
                    label=LABEL,
                )
            )
    return rows


def read_external(path: Path) -> list[ExternalResult]:
    """Rows from one results file of another harness (kind recognised from its content)."""
    if path.suffix == ".eval":
        return _inspect(path)
    raw = _read(path)
    if path.suffix == ".jsonl":
        return _lm_eval_samples(path, raw)
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(path, "expected JSON (lm-evaluation-harness results.json)") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return _lm_eval_results(path, data)
