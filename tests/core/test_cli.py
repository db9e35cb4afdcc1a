"""The command line: documented exit codes and one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-c", "from modelpassport.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_schema_prints_the_passport_json_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Passport"
    assert "schema_version" in schema["properties"]
    assert "findings" in schema["properties"]


def test_exported_schema_file_is_current() -> None:
    exported = Path(__file__).parents[2] / "schema" / "passport.schema.json"
    assert json.loads(exported.read_text()) == json.loads(run_cli("schema").stdout), (
        "schema/passport.schema.json is stale: modelpassport schema > schema/passport.schema.json"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["audit", "no-such-thing"], "not a file, folder, URL or known scheme"),
        (["audit", "missing.gguf"], "no such file or folder"),
        (["audit", "--stages", "identity,telepathy", "x.gguf"], "unknown stage telepathy"),
        (["audit", "--option", "nonsense", "x.gguf"], "expected STAGE.KEY=VALUE"),
        (
            ["audit", "http://127.0.0.1:1/v1#m", "--stages", "narratives", "--timeout", "2"],
            "does not answer",
        ),
        (["show", "missing.json"], "no such passport file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragment: str, tmp_path: Path) -> None:
    result = run_cli(*args, "--out", str(tmp_path)) if args[0] == "audit" else run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_rejects_a_file_that_is_not_a_passport(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"schema_version": "0.1.0", "subject": {"ref": "x"}}))
    result = run_cli("show", str(bad))
    assert result.returncode == 2
    assert "field subject.kind" in result.stderr
