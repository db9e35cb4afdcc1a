"""``keygen``, ``sign`` and ``verify``: detached ed25519 signatures over passports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from modelpassport._display import inert
from modelpassport.errors import EXIT_POLICY_FAILED


def _sig_path(passport: Path, given: Path | None) -> Path:
    return given or passport.with_name(passport.name + ".sig")


def keygen(
    key: Annotated[Path, typer.Argument(help="Private key file to create (public: KEY.pub).")],
) -> None:
    """Create an ed25519 key pair for signing passports."""
    from modelpassport.passport import generate_keypair

    public, key_id = generate_keypair(key)
    typer.echo(f"wrote {key} (private, keep it secret) and {public} (public); key id {key_id}")


def sign(
    passport: Annotated[Path, typer.Argument(help="A passport.json file.")],
    key: Annotated[Path, typer.Option("--key", "-k", help="Private key from keygen.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Signature file (default PASSPORT.sig).")
    ] = None,
) -> None:
    """Write a detached signature over the passport's content and findings digest."""
    from modelpassport.passport import load_private_key, sign_passport, write_signature
    from modelpassport.report import read_passport

    sig = sign_passport(read_passport(passport), load_private_key(key))
    path = _sig_path(passport, out)
    write_signature(sig, path)
    typer.echo(f"wrote {path}; key id {sig.key_id}")


def verify(
    passport: Annotated[Path, typer.Argument(help="A passport.json file.")],
    key: Annotated[Path, typer.Option("--key", "-k", help="Public key you trust (KEY.pub).")],
    signature: Annotated[
        Path | None,
        typer.Option("--signature", "-s", help="Signature file (default PASSPORT.sig)."),
    ] = None,
) -> None:
    """Check a passport's findings digest and its signature: exit 0 valid, 1 invalid."""
    from modelpassport.passport import load_public_key, read_signature, verify_passport
    from modelpassport.report import read_passport

    result = verify_passport(
        read_passport(passport),
        read_signature(_sig_path(passport, signature)),
        load_public_key(key),
    )
    console = Console()
    if result.ok:
        console.print(
            Text(
                f"VALID: findings digest and signature check out (key {result.key_id})",
                style="bold green",
            )
        )
        return
    console.print(Text("INVALID", style="bold red"))
    for problem in result.problems:
        console.print(Text(f"  - {inert(problem)}"))
    raise typer.Exit(EXIT_POLICY_FAILED)
