"""What the CLI prints and the Markdown it writes: control characters inert, long text cut."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from modelpassport._display import MAX_SHOWN, inert
from modelpassport.report import write_json
from modelpassport.report._markdown import md_text
from tests.identity.gguf_build import write_gguf
from tests.report.conftest import make_passport

# Characters a terminal acts on or a reader cannot see.
_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
HOSTILE = (
    "\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED\x1b[0m\r\n"
    "\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\ \u202egnp.exe\x07"
)


@settings(max_examples=300)
@given(st.text(), st.integers(1, 5000))
def test_inert_text_holds_nothing_a_terminal_acts_on(text: str, limit: int) -> None:
    shown = inert(text, limit)
    assert not _ACTIVE.search(shown)
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in shown)
    assert len(shown) <= limit * 10 + 64  # every kept character escapes to at most 10


@settings(max_examples=200)
@given(st.text())
def test_markdown_cells_hold_no_controls_or_markup(text: str) -> None:
    cell = md_text(text)
    assert not _ACTIVE.search(cell)
    assert "<" not in cell
    assert "\n" not in cell


def test_long_text_is_cut_and_says_so() -> None:
    shown = inert("n" * (MAX_SHOWN + 10))
    assert shown.endswith("… (10 more characters)")


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from modelpassport.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )


def test_show_check_and_errors_print_no_escape_sequences(tmp_path: Path) -> None:
    passport = tmp_path / "passport.json"
    write_json(make_passport(ref=HOSTILE), passport)
    policy = tmp_path / "p.toml"
    policy.write_text('name = "gate"\n[rules]\n')
    model = write_gguf(tmp_path / "m.gguf", strings={"general.name": HOSTILE + "x" * 3_000_000})
    for args in (
        ("show", passport),
        ("check", passport, "--policy", policy),
        ("audit", f"{tmp_path}/\x1b[2Jmissing.gguf"),
        (
            "audit",
            model,
            "--stages",
            "identity",
            "--option",
            "identity.lineage=off",
            "--out",
            tmp_path / "o",
        ),
        ("show", tmp_path / "o" / "passport.json"),
    ):
        done = _run(*args)
        assert "\x1b" not in done.stdout + done.stderr, args
        assert "\u202e" not in done.stdout + done.stderr, args
    written = (tmp_path / "o" / "passport.json").read_text()
    assert len(written) < 200_000  # the 3 MB name was cut, not copied
