"""The ``modelpassport`` command line: parses, displays, calls the API. No logic here.

Commands import what they use when they run: ``--help`` and ``check`` are CI gates, and
every module imported at start-up is paid for on each call.

Exit codes: 0 success · 1 a policy check failed · 2 bad input (REF, file, endpoint, option)
· 130 interrupted (finished work is kept; rerun the same command to resume).
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from modelpassport._display import inert
from modelpassport.errors import (
    EXIT_USAGE,
    Interrupted,
    MissingExtraError,
    ModelPassportError,
)

if TYPE_CHECKING:
    from modelpassport.passport import Passport

from ._campaign import campaign
from ._check import check
from ._compare import compare
from ._facts import facts
from ._options import options
from ._progress import RichProgress
from ._show import print_summary
from ._sign import keygen, sign, verify

# The bundled model answers at roughly 60 tokens/s on two cores. With no REF, each stage asks a
# stratified sample that keeps the whole demo audit to about six minutes (measured: narratives
# takes ~5.5 s an item, capability ~3.7 s, security ~2 s): 40 narratives items still reach most
# topic families with their matched controls, 20 security items every attack family (with
# their clean controls), 18 capability items two per pack.
DEMO_SAMPLES = {"narratives": 40, "security": 20, "capability": 18}

app = typer.Typer(
    name="modelpassport",
    help="Issue a passport for an AI model: origin, load safety, behaviour, speed and cost.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()


def _parse_stages(text: str | None) -> tuple[str, ...]:
    from modelpassport.passport import STAGE_NAMES
    from modelpassport.stages import DEFAULT_STAGES

    if not text:
        return DEFAULT_STAGES
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in STAGE_NAMES]
    if unknown or not names:
        raise ModelPassportError(
            f"--stages: unknown stage {', '.join(unknown) or '(none)'}; "
            f"expected a comma-separated list of {', '.join(STAGE_NAMES)}"
        )
    return tuple(dict.fromkeys(names))


_OPTION = re.compile(r"^([a-z_]+)\.([A-Za-z0-9_\-]+)=(.*)$")


def _parse_stage_options(items: list[str]) -> dict[str, dict[str, str]]:
    from modelpassport.passport import STAGE_NAMES

    parsed: dict[str, dict[str, str]] = {}
    for item in items:
        match = _OPTION.match(item)
        if not match or match.group(1) not in STAGE_NAMES:
            raise ModelPassportError(
                f"--option {item!r}: expected STAGE.KEY=VALUE, "
                f"STAGE one of {', '.join(STAGE_NAMES)}"
            )
        parsed.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return parsed


def _slug(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ref).strip("_")[:80] or "subject"


@app.command()
def audit(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="What to audit: a .gguf file, a model folder, http://HOST:PORT/v1#MODEL, "
            "openai:M, anthropic:M, deepseek:M, scripted:FILE. None: the bundled default."
        ),
    ] = None,
    stages: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated stages (default: every implemented stage; identity, scan, "
            "narratives, security, capability, bench, ...)."
        ),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("passport-out"),
    fresh: Annotated[bool, typer.Option(help="Ignore cached answers in the journal.")] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=1024, help="Requests in flight at once.")
    ] = 4,
    rps: Annotated[float | None, typer.Option(min=0.001, help="Max requests per second.")] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request.")] = 120.0,
    max_response_mb: Annotated[
        float,
        typer.Option(min=0.01, help="Largest answer read per request (MiB); longer is an error."),
    ] = 16.0,
    files: Annotated[
        Path | None,
        typer.Option(help="Model folder served by an endpoint REF (audit the weights you serve)."),
    ] = None,
    sample: Annotated[
        int | None, typer.Option(min=1, help="Stratified sample of probe items.")
    ] = None,
    reference: Annotated[
        list[Path] | None,
        typer.Option(help="Reference model file for lineage checks (repeatable)."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="Stage setting STAGE.KEY=VALUE (repeatable; `modelpassport options` lists them).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling and generation.")] = 0,
) -> None:
    """Audit one or more models and write passport.json and report.html for each."""
    import asyncio

    from modelpassport._files import locked_output
    from modelpassport.api import audit as run_audit
    from modelpassport.stages import AuditOptions

    targets = refs or [""]
    demo = {} if refs or sample is not None else DEMO_SAMPLES
    if demo:
        err.print(
            "no REF: auditing the bundled default model on stratified samples ("
            + ", ".join(f"{n} {stage}" for stage, n in demo.items())
            + " items; --sample N to change)",
            highlight=False,
        )
    options = AuditOptions(
        stages=_parse_stages(stages),
        out_dir=out_dir,
        fresh=fresh,
        concurrency=concurrency,
        requests_per_s=rps,
        timeout_s=timeout,
        max_response_mb=max_response_mb,
        seed=seed,
        sample=sample,
        stage_samples=demo,
        references=tuple(reference or ()),
        stage_options=_parse_stage_options(option or []),
    )
    for ref in targets:
        folder = out_dir if len(targets) == 1 else out_dir / _slug(ref)
        opts = replace(options, out_dir=folder)
        with locked_output(folder):
            try:
                with RichProgress(err) as progress:
                    passport = asyncio.run(
                        run_audit(ref or None, opts, files=files, progress=progress)
                    )
            except KeyboardInterrupt:
                # Raised here, not left to the CLI framework, so the exit code is ours.
                raise Interrupted() from None
            _write(passport, folder)


def _write(passport: Passport, folder: Path) -> None:
    from modelpassport.report import write_cyclonedx, write_html, write_json, write_sarif

    write_json(passport, folder / "passport.json")
    write_html(passport, folder / "report.html")
    write_sarif(passport, folder / "passport.sarif")
    written = ["passport.json", "report.html", "passport.sarif"]
    try:
        write_cyclonedx(passport, folder / "bom.cdx.json")
        written.append("bom.cdx.json")
    except MissingExtraError as exc:
        err.print(
            f"note: bom.cdx.json not written: {escape(inert(str(exc)))}",
            highlight=False,
            soft_wrap=True,
        )
    print_summary(passport, out)
    out.print(f"wrote {', '.join(written)} in {folder}")


@app.command()
def show(path: Annotated[Path, typer.Argument(help="A passport.json file.")]) -> None:
    """Print a readable summary of a passport."""
    from modelpassport.report import read_passport

    print_summary(read_passport(path), out)


@app.command()
def schema() -> None:
    """Print the passport's JSON Schema."""
    from modelpassport.passport import passport_json_schema

    typer.echo(json.dumps(passport_json_schema(), indent=2, sort_keys=True))


for _command in (compare, check, facts, options, sign, verify, keygen, campaign):
    app.command()(_command)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the app, turning user-fixable failures into one line and exit 2.

    SIGTERM is treated like Ctrl-C, so a stopped job reports what it kept and exits 130.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app()
    except ModelPassportError as exc:
        err.print(f"[red]error:[/red] {escape(inert(str(exc)))}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except OSError as exc:
        err.print(f"error: {escape(inert(str(exc)))}", highlight=False, soft_wrap=True)
        raise SystemExit(EXIT_USAGE) from None
