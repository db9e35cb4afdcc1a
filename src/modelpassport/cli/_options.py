"""``modelpassport options``: every stage setting, its type, default and meaning."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from modelpassport.errors import ModelPassportError


def _rows(stage: str | None) -> list[dict[str, Any]]:
    from modelpassport.passport import STAGE_NAMES
    from modelpassport.stages import describe_options, load_stage

    names = [stage] if stage else list(STAGE_NAMES)
    rows = []
    for name in names:
        if name not in STAGE_NAMES:
            raise ModelPassportError(
                f"options: unknown stage {name!r}; expected one of {', '.join(STAGE_NAMES)}"
            )
        impl = load_stage(name)
        if impl is None:
            continue
        for row in describe_options(impl.options_model):
            rows.append({"option": f"{name}.{row['key']}", **row})
    return rows


def options(
    stage: Annotated[str | None, typer.Argument(help="Only this stage's settings.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the settings `audit --option STAGE.KEY=VALUE` accepts, with defaults."""
    rows = _rows(stage)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(header_style="bold")
    table.add_column("option", no_wrap=True)
    for column in ("type", "default", "help"):
        table.add_column(column, overflow="fold")
    for row in rows:
        value = row["default"]
        if isinstance(value, tuple | list):
            default = ",".join(map(str, value))
        else:
            default = "" if value is None else str(value)
        table.add_row(row["option"], row["type"], default, row["help"])
    Console().print(table)
