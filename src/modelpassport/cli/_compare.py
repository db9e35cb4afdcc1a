"""``modelpassport compare``: passports side by side, as an HTML page or a Markdown comment."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from modelpassport._files import write_atomic


class CompareFormat(StrEnum):
    """Output formats of ``compare``."""

    html = "html"
    md = "md"


def compare(
    passports: Annotated[
        list[Path],
        typer.Argument(help="Two or more passport.json files; the first is the baseline."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default: compare.html; Markdown goes to stdout)."),
    ] = None,
    fmt: Annotated[
        CompareFormat,
        typer.Option("--format", help="html: a self-contained page; md: a pull-request comment."),
    ] = CompareFormat.html,
) -> None:
    """Compare passports side by side, with differences from the first highlighted."""
    from modelpassport.report import read_passport, render_compare_html, render_compare_markdown

    loaded = [read_passport(p) for p in passports]
    if fmt is CompareFormat.md:
        text = render_compare_markdown(loaded)
        if out is None:
            typer.echo(text, nl=False)
            return
    else:
        text = render_compare_html(loaded)
        out = out or Path("compare.html")
    write_atomic(out, text)
    typer.echo(f"wrote {out}")
