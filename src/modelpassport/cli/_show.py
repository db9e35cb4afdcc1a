"""A terminal summary of a passport."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from modelpassport._display import inert

if TYPE_CHECKING:
    from modelpassport.passport import Passport

_STYLE = {"ok": "green", "skipped": "dim", "error": "red"}


def print_summary(passport: Passport, console: Console) -> None:
    """One line per stage: its status and, when it did not run, why."""
    console.print(
        Text(
            f"passport for {inert(passport.subject.ref)} ({inert(passport.subject.kind)})",
            style="bold",
        )
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("stage")
    table.add_column("status")
    table.add_column("summary / reason", overflow="fold")
    for name, section in passport.findings.sections():
        table.add_row(
            name, Text(section.status, style=_STYLE[section.status]), Text(inert(section.summary()))
        )
    console.print(table)
    console.print(Text(f"findings digest {passport.findings_digest}", style="dim"))
