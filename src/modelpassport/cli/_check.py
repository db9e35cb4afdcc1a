"""``modelpassport check``: the policy gate for pipelines (exit 0 pass, 1 fail, 2 broken input)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modelpassport.errors import EXIT_POLICY_FAILED
from modelpassport.policy import Verdict, check_passport, load_policy
from modelpassport.report import read_passport

_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow"}


def print_verdict(verdict: Verdict, console: Console) -> None:
    """A table of every rule with what it asked for and the passport's evidence."""
    table = Table(title=Text(f"policy {verdict.policy} · {verdict.subject}"), header_style="bold")
    table.add_column("rule")
    table.add_column("result")
    table.add_column("expected", overflow="fold")
    table.add_column("evidence", overflow="fold")
    for r in verdict.results:
        table.add_row(
            Text(r.rule),
            Text(r.outcome.upper(), style=_STYLE[r.outcome]),
            Text(r.expected),
            Text(r.evidence),
        )
    console.print(table)
    failed = sum(r.outcome == "fail" for r in verdict.results)
    warned = sum(r.outcome == "warn" for r in verdict.results)
    line = "PASSED" if verdict.passed else f"FAILED ({failed} rule(s))"
    console.print(
        Text(f"{line}; {warned} warning(s)", style="bold green" if verdict.passed else "bold red")
    )


def check(
    passport: Annotated[Path, typer.Argument(help="A passport.json file.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="A policy TOML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Judge a passport against a policy: exit 0 pass, 1 a rule failed, 2 broken input."""
    rules = load_policy(policy)
    verdict = check_passport(read_passport(passport), rules)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "policy": verdict.policy,
                    "subject": verdict.subject,
                    "passed": verdict.passed,
                    "results": [asdict(r) for r in verdict.results],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print_verdict(verdict, Console())
    if not verdict.passed:
        raise typer.Exit(EXIT_POLICY_FAILED)
