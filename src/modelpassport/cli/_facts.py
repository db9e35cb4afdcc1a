"""``modelpassport facts``: every headline fact of a passport, the interface for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modelpassport._display import inert
from modelpassport.errors import ModelPassportError


def _list_specs(as_json: bool) -> None:
    from modelpassport.passport import fact_specs

    specs = list(fact_specs().values())
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "label": s.label,
                        "kind": s.kind,
                        "better": s.better,
                        "unit": s.unit,
                        "order": list(s.order),
                        "description": s.description,
                    }
                    for s in specs
                ],
                indent=2,
            )
        )
        return
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    for column in ("kind", "better", "unit", "description"):
        table.add_column(column, overflow="fold")
    for s in specs:
        desc = s.description + (f" ({' < '.join(s.order)})" if s.order else "")
        table.add_row(s.id, s.kind, s.better, s.unit or "", desc)
    Console().print(table)


def facts(
    passport: Annotated[Path | None, typer.Argument(help="A passport.json file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as JSON.")] = False,
    list_ids: Annotated[
        bool, typer.Option("--list", help="List every fact id this version can produce.")
    ] = False,
) -> None:
    """Print every headline fact of a passport: id, value, interval, n, method."""
    if list_ids:
        _list_specs(as_json)
        return
    if passport is None:
        raise ModelPassportError("facts: expected a passport.json file (or --list)")
    from modelpassport.report import read_passport

    doc = read_passport(passport)
    found = doc.findings.facts()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "subject": doc.subject.ref,
                    "schema_version": doc.schema_version,
                    "findings_digest": doc.findings_digest,
                    "digest_ok": doc.digest_ok(),
                    "facts": [f.model_dump(mode="json") for f in found],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=Text(f"facts · {inert(doc.subject.ref)}"), header_style="bold")
    table.add_column("id", no_wrap=True)
    for column in ("value", "n", "method", "detail"):
        table.add_column(column, overflow="fold")
    for f in found:
        table.add_row(
            Text(f.id),
            Text(inert(f.text()), style="dim" if f.missing else ""),
            Text("" if f.n is None else str(f.n)),
            Text(inert(f.method)),
            Text(inert(f.detail)),
        )
    Console().print(table)
