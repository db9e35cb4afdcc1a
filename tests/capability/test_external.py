"""Other harnesses' results: read as labelled evidence, malformed files refused clearly."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from modelpassport.capability._external import LABEL, read_external
from modelpassport.errors import InputError


def test_lm_eval_results_json(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            {
                "results": {
                    "gsm8k": {
                        "alias": "gsm8k",
                        "exact_match,strict-match": 0.25,
                        "exact_match_stderr,strict-match": 0.012,
                    }
                },
                "n-samples": {"gsm8k": {"original": 1319, "effective": 1319}},
            }
        )
    )
    (row,) = read_external(path)
    assert row.harness == "lm-evaluation-harness"
    assert (row.task, row.metric, row.value, row.stderr, row.n) == (
        "gsm8k",
        "exact_match,strict-match",
        0.25,
        0.012,
        1319,
    )
    assert row.label == LABEL


def test_lm_eval_samples_become_rates(tmp_path: Path) -> None:
    path = tmp_path / "samples_arc_easy_2025-01-01T00-00-00.jsonl"
    path.write_text(
        "\n".join(json.dumps({"doc_id": i, "acc": float(i % 4 == 0)}) for i in range(8))
    )
    (row,) = read_external(path)
    assert row.task == "arc_easy"
    assert row.rate is not None
    assert (row.rate.k, row.rate.n) == (2, 8)
    assert row.rate.interval is not None
    assert row.rate.interval.method == "wilson"


def test_inspect_eval_log(tmp_path: Path) -> None:
    path = tmp_path / "run.eval"
    header = {
        "eval": {"task": "mmlu_0_shot"},
        "results": {
            "completed_samples": 50,
            "scores": [{"name": "choice", "metrics": {"accuracy": {"value": 0.6}}}],
        },
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("header.json", json.dumps(header))
    (row,) = read_external(path)
    assert (row.harness, row.task, row.metric, row.value, row.n) == (
        "inspect",
        "mmlu_0_shot",
        "choice/accuracy",
        0.6,
        50,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("results.json", b"{not json", "expected JSON"),
        ("results.json", b"[1, 2]", "expected a JSON object"),
        ("results.json", b'{"config": {}}', "with 'results'"),
        ("samples_x_1.jsonl", b'{"acc": 1}\nnope\n', ":2: expected one JSON object"),
        ("run.eval", b"not a zip", "expected an Inspect .eval log"),
    ],
)
def test_malformed_files_name_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_external(path)
    with pytest.raises(InputError, match="readable file"):
        read_external(tmp_path / "missing.json")
