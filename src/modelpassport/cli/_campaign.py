"""``modelpassport campaign FILE``: audit a panel of models and write one decision table.

Exit codes: 0 every audit complete · 1 some audit failed or is incomplete (the table says which;
rerun to retry it) · 2 bad input · 130 interrupted (rerun to resume).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from modelpassport._display import inert
from modelpassport.errors import EXIT_POLICY_FAILED, Interrupted

_STYLE = {"complete": "green", "kept": "green", "incomplete": "yellow", "failed": "bold red"}


def campaign(
    file: Annotated[Path, typer.Argument(help="A campaign TOML file (see docs/campaigns.md).")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Output folder (one sub-folder per model).")
    ] = Path("campaign-out"),
    fresh: Annotated[
        bool, typer.Option(help="Audit every model again, ignoring saved state and journals.")
    ] = False,
) -> None:
    """Audit every model of a campaign file and write decision.html and decision.md."""
    from modelpassport.campaign import execute_campaign, load_campaign

    err = Console(stderr=True)
    spec = load_campaign(file)

    def event(name: str, what: str, detail: str) -> None:
        line = Text(f"{inert(name)}: ")
        line.append(what, style=_STYLE.get(what, ""))
        if detail:
            line.append(f" ({inert(detail)})")
        err.print(line, soft_wrap=True)

    try:
        outcome = asyncio.run(execute_campaign(spec, out_dir, fresh=fresh, on_event=event))
    except KeyboardInterrupt:
        raise Interrupted() from None
    Console().print(f"wrote {outcome.html} and {outcome.markdown}", highlight=False)
    if not outcome.complete:
        left = [r.name for r in outcome.results if r.status != "complete"]
        err.print(
            Text(f"not complete: {inert(', '.join(left))}; rerun the same command to retry"),
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_POLICY_FAILED)
