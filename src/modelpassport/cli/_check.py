"""``modelpassport check``: the policy gate for pipelines (exit 0 pass, 1 fail, 2 broken input)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modelpassport._display import inert
from modelpassport.errors import EXIT_POLICY_FAILED, InputError

if TYPE_CHECKING:
    from modelpassport.passport import Passport
    from modelpassport.policy import RuleResult, Verdict

_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow"}


def print_verdict(verdict: Verdict, console: Console) -> None:
    """A table of every rule with what it asked for and the passport's evidence."""
    title = Text(f"policy {inert(verdict.policy)} · {inert(verdict.subject)}")
    table = Table(title=title, header_style="bold")
    table.add_column("rule")
    table.add_column("result")
    table.add_column("expected", overflow="fold")
    table.add_column("evidence", overflow="fold")
    for r in verdict.results:
        table.add_row(
            Text(inert(r.rule)),
            Text(r.outcome.upper(), style=_STYLE[r.outcome]),
            Text(inert(r.expected)),
            Text(inert(r.evidence)),
        )
    console.print(table)
    failed = sum(r.outcome == "fail" for r in verdict.results)
    warned = sum(r.outcome == "warn" for r in verdict.results)
    line = "PASSED" if verdict.passed else f"FAILED ({failed} rule(s))"
    console.print(
        Text(f"{line}; {warned} warning(s)", style="bold green" if verdict.passed else "bold red")
    )


def _signature_rule(
    passport: Passport, passport_path: Path, signature: Path | None, keys: list[Path]
) -> RuleResult:
    """The ``signature`` row: a valid detached signature by one of the trusted keys."""
    from modelpassport.passport import load_public_key, read_signature, verify_passport
    from modelpassport.policy import RuleResult

    sig_path = signature or passport_path.with_name(passport_path.name + ".sig")
    expected = "signed by " + " or ".join(k.name for k in keys)
    if not sig_path.is_file():
        return RuleResult("signature", "fail", expected, f"no signature file {sig_path.name}")
    sig = read_signature(sig_path)
    problems: list[str] = []
    for key in keys:
        result = verify_passport(passport, sig, load_public_key(key))
        if result.ok:
            return RuleResult("signature", "pass", expected, f"valid (key {result.key_id})")
        problems.extend(result.problems)
    return RuleResult("signature", "fail", expected, "; ".join(dict.fromkeys(problems)))


def check(
    passport: Annotated[Path, typer.Argument(help="A passport.json file.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="A policy TOML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
    key: Annotated[
        list[Path] | None,
        typer.Option(
            "--key",
            "-k",
            help="Public key you trust (KEY.pub, repeatable): the passport must carry a "
            "valid signature by one of them.",
        ),
    ] = None,
    signature: Annotated[
        Path | None,
        typer.Option("--signature", "-s", help="Signature file (default PASSPORT.sig)."),
    ] = None,
    require_signature: Annotated[
        bool,
        typer.Option(
            "--require-signature",
            help="Fail unless the passport is signed by a --key (the findings digest alone "
            "proves only that the findings were not edited after the digest was computed).",
        ),
    ] = False,
) -> None:
    """Judge a passport against a policy: exit 0 pass, 1 a rule failed, 2 broken input."""
    keys = key or []
    if require_signature and not keys:
        raise InputError("--require-signature", "name the public key you trust with --key PUB")
    # Imported here: the gate's whole-process time is what a CI pipeline pays per check.
    from modelpassport.policy import check_passport, load_policy
    from modelpassport.report import read_passport

    rules = load_policy(policy)
    document = read_passport(passport)
    verdict = check_passport(document, rules)
    if keys:
        row = _signature_rule(document, passport, signature, keys)
        verdict = replace(verdict, results=(row, *verdict.results))
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
