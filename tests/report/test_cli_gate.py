"""``check``, ``keygen``, ``sign`` and ``verify`` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.cli import main
from modelpassport.report import write_json

from .conftest import make_passport


@dataclass(frozen=True)
class Ran:
    """Exit code and output of one command."""

    returncode: int
    stdout: str
    stderr: str


def run_child(*args: str | Path) -> Ran:
    """Run the installed entry point in a child process, as a pipeline would."""
    done = subprocess.run(
        [sys.executable, "-c", "from modelpassport.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Ran]:
    """Run the same entry point (``main``: argument parsing, error lines, exit codes) in this
    process, which saves an interpreter start per command; ``run_child`` covers the real one."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["modelpassport", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def passport_file(tmp_path: Path) -> Path:
    path = tmp_path / "passport.json"
    write_json(make_passport(), path)
    return path


def _policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(f'name = "gate"\n{body}')
    return path


def test_check_exit_codes(passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran]) -> None:
    passing = run_child(
        "check",
        passport_file,
        "--policy",
        _policy(tmp_path, "[rules]\nrequired_stages = []"),
    )
    assert passing.returncode == 0, passing.stderr
    assert "PASSED" in passing.stdout

    failing = run_child(
        "check",
        passport_file,
        "--policy",
        _policy(
            tmp_path,
            'on_missing = "fail"\n[rules]\nmax_scan_severity = "low"\nmin_output_tok_s = 5',
        ),
    )
    assert failing.returncode == 1
    assert "FAILED (2 rule(s))" in failing.stdout
    assert "scan stage skipped: stage not requested" in failing.stdout

    as_json = run_cli("check", passport_file, "--json", "--policy", tmp_path / "policy.toml")
    assert as_json.returncode == 1
    verdict = json.loads(as_json.stdout)
    assert verdict["passed"] is False
    assert [r["rule"] for r in verdict["results"]] == [
        "findings_digest",
        "max_scan_severity",
        "min_output_tok_s",
    ]


def test_check_broken_inputs_exit_2(
    passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran]
) -> None:
    typo = run_cli(
        "check",
        passport_file,
        "--policy",
        _policy(tmp_path, "[rules]\nmax_scan_severty = 'low'"),
    )
    assert typo.returncode == 2
    assert "rules.max_scan_severty: unknown key" in typo.stderr
    assert "Traceback" not in typo.stderr

    newer = tmp_path / "newer.json"
    data = json.loads(passport_file.read_text())
    data["schema_version"] = "2.0.0"
    newer.write_text(json.dumps(data))
    result = run_cli("check", newer, "--policy", _policy(tmp_path, "[rules]"))
    assert result.returncode == 2
    assert "newer than this modelpassport understands" in result.stderr


def test_check_fails_tampered_findings(
    passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran]
) -> None:
    data = json.loads(passport_file.read_text())
    data["findings"]["scan"]["reason"] = "edited by hand"
    passport_file.write_text(json.dumps(data))
    result = run_cli("check", passport_file, "--policy", _policy(tmp_path, "[rules]"))
    assert result.returncode == 1
    assert "edited after the audit" in result.stdout


def test_keygen_sign_verify_round_trip(
    passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran]
) -> None:
    key = tmp_path / "keys" / "team.key"
    made = run_cli("keygen", key)
    assert made.returncode == 0, made.stderr
    signed = run_cli("sign", passport_file, "--key", key)
    assert signed.returncode == 0, signed.stderr
    sig = passport_file.with_name("passport.json.sig")
    assert json.loads(sig.read_text())["algorithm"] == "ed25519"

    ok = run_cli("verify", passport_file, "--key", f"{key}.pub")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID" in ok.stdout

    data = json.loads(passport_file.read_text())
    data["run"]["host"] = "forged"
    passport_file.write_text(json.dumps(data, indent=4))
    bad = run_cli("verify", passport_file, "--key", f"{key}.pub", "--signature", sig)
    assert bad.returncode == 1
    assert "differs from what was signed" in bad.stdout

    wrong_key = run_cli("verify", passport_file, "--key", key)
    assert wrong_key.returncode == 2
    assert "expected a PEM public key" in wrong_key.stderr


def test_compare_html_and_markdown(tmp_path: Path, run_cli: Callable[..., Ran]) -> None:
    paths = []
    for name in ("a", "b"):
        path = tmp_path / name / "passport.json"
        write_json(make_passport(f"scripted:{name}.json"), path)
        paths.append(path)
    html = run_cli("compare", *paths, "--out", tmp_path / "out" / "compare.html")
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "out" / "compare.html").read_text()
    assert "scripted:a.json" in page
    assert "scripted:b.json" in page

    md = run_cli("compare", *paths, "--format", "md")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("## Model passports compared")
    assert "| fact | A | B |" in md.stdout

    one = run_cli("compare", paths[0])
    assert one.returncode == 2
    assert "expected 2 to 26 passports" in one.stderr


def _resealed(passport: Path, tmp_path: Path, ref: str) -> Path:
    """The passport edited, its findings digest recomputed: what anyone can do."""
    from modelpassport.report import read_passport

    doc = read_passport(passport)
    findings = doc.findings.model_copy(update={})
    edited = doc.model_copy(
        update={
            "subject": doc.subject.model_copy(update={"ref": ref}),
            "findings_digest": findings.digest(),
        }
    )
    path = tmp_path / "resealed" / "passport.json"
    path.parent.mkdir(exist_ok=True)
    write_json(edited, path)
    return path


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(min_size=1, max_size=40))
def test_check_with_a_key_fails_anything_not_signed_by_it(
    passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran], ref: str
) -> None:
    policy = _policy(tmp_path, "[rules]")
    trusted, other = tmp_path / "team.key", tmp_path / "other.key"
    for key in (trusted, other):
        if not key.exists():
            assert run_cli("keygen", key).returncode == 0
    assert run_cli("sign", passport_file, "--key", trusted).returncode == 0
    assert run_cli("check", passport_file, "-p", policy, "--key", f"{trusted}.pub").returncode == 0
    # Several trusted keys: one valid signature is enough.
    both = ("--key", f"{other}.pub", "--key", f"{trusted}.pub")
    assert run_cli("check", passport_file, "-p", policy, *both).returncode == 0
    wrong = run_cli("check", passport_file, "-p", policy, "--key", f"{other}.pub", "--json")
    assert wrong.returncode == 1
    row = json.loads(wrong.stdout)["results"][0]
    assert row["rule"] == "signature"
    assert row["outcome"] == "fail"
    # An edit with a recomputed digest passes the digest check but not the signature.
    resealed = _resealed(passport_file, tmp_path, ref)
    sig = passport_file.with_name("passport.json.sig")
    assert run_cli("check", resealed, "-p", policy).returncode == 0  # digest alone: trusted
    keyed = run_cli("check", resealed, "-p", policy, "--key", f"{trusted}.pub", "--signature", sig)
    assert keyed.returncode == 1
    unsigned = run_cli("check", resealed, "-p", policy, "--key", f"{trusted}.pub")
    assert unsigned.returncode == 1
    assert "no signature file" in unsigned.stdout


def test_require_signature_needs_a_key(
    passport_file: Path, tmp_path: Path, run_cli: Callable[..., Ran]
) -> None:
    result = run_cli(
        "check", passport_file, "-p", _policy(tmp_path, "[rules]"), "--require-signature"
    )
    assert result.returncode == 2
    assert "--key" in result.stderr
