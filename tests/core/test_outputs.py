"""Outputs: every file written atomically under a unique name, one audit per output folder,
a broken journal set aside by --fresh."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport._files import locked_output, write_atomic
from modelpassport.errors import InputError, ModelPassportError
from modelpassport.store import Journal

FEW = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


@FEW
@given(st.integers(2, 6), st.integers(1, 200_000))
def test_concurrent_writers_never_leave_a_mixed_or_partial_file(
    tmp_path_factory: pytest.TempPathFactory, writers: int, size: int
) -> None:
    path = tmp_path_factory.mktemp("w") / "passport.json"
    payloads = [json.dumps({"writer": i, "pad": chr(97 + i) * size}) for i in range(writers)]
    write_atomic(path, payloads[0])
    stop = threading.Event()
    seen: list[str] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(path.read_text(encoding="utf-8"))

    def write(text: str) -> None:
        for _ in range(5):
            write_atomic(path, text)

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join()
    assert set(seen) <= set(payloads)
    assert path.read_text(encoding="utf-8") in payloads
    assert [p.name for p in path.parent.iterdir()] == ["passport.json"]  # no temporaries left


def test_a_second_audit_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    out = tmp_path / "out"
    with locked_output(out):
        with (
            pytest.raises(ModelPassportError, match="another audit is writing"),
            locked_output(out),
        ):
            pass
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from modelpassport.cli import main; main()",
                "audit",
                str(model),
                "--stages",
                "scan",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2
        assert "another audit is writing to this folder" in done.stderr
        assert not (out / "passport.json").exists()
    with locked_output(out):  # released: the next audit may write
        pass


_NOT_SQLITE = st.binary(min_size=100, max_size=4096).filter(
    lambda b: not b.startswith(b"SQLite format 3")
)


@FEW
@given(_NOT_SQLITE)
def test_fresh_sets_a_broken_journal_aside_and_starts_over(
    tmp_path_factory: pytest.TempPathFactory, garbage: bytes
) -> None:
    path = tmp_path_factory.mktemp("j") / "journal.sqlite"
    path.write_bytes(garbage)
    with pytest.raises(InputError, match="--fresh to set it aside"):
        Journal(path)
    assert path.read_bytes() == garbage  # without --fresh nothing is touched
    journal = Journal(path, fresh=True)
    assert journal.get("k") is None
    journal.close()
    assert (path.parent / "journal.sqlite.bad-1").read_bytes() == garbage
    path.write_bytes(garbage)
    Journal(path, fresh=True).close()
    assert (path.parent / "journal.sqlite.bad-2").read_bytes() == garbage


def test_a_passport_carries_no_path_of_the_auditing_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from modelpassport.api import audit
    from modelpassport.refs import default_model_path
    from modelpassport.report import write_json
    from modelpassport.stages import AuditOptions

    try:
        model = default_model_path()
    except ModelPassportError:
        pytest.skip("the bundled model is not installed")
    monkeypatch.chdir(model.parent)
    options = AuditOptions(stages=("identity", "scan"), out_dir=tmp_path / "out")
    passport = asyncio.run(audit(model.name, options))
    write_json(passport, tmp_path / "out" / "passport.json")
    text = (tmp_path / "out" / "passport.json").read_text(encoding="utf-8")
    assert passport.findings.identity.lineage, "lineage against the catalog reference ran"
    for machine_path in (str(model.parent), sys.prefix, str(tmp_path), str(Path.home())):
        assert machine_path not in text
