"""Print catalog [[tokenizer]] fingerprint fields computed from tokenizer files on disk.

Usage: .venv/bin/python scripts/catalog_fingerprints.py NAME=PATH [NAME=PATH ...]
PATH is a GGUF file, tokenizer.json, tokenizer.model or a tiktoken rank file. The output is
pasted into src/modelpassport/identity/data/families.toml; tests/identity check it stays true.
"""

from __future__ import annotations

import sys
from pathlib import Path

from modelpassport.identity import fingerprint_file


def main(args: list[str]) -> None:
    """Fingerprint each NAME=PATH and print its TOML fields."""
    for arg in args:
        name, _, path = arg.partition("=")
        fp = fingerprint_file(Path(path))
        print(f"# {name}: {Path(path).name}\nnormal_tokens = {fp.normal_tokens}")
        print(f'tokens_sha256 = "{fp.tokens_sha256}"\nsketch = "{fp.sketch}"\n')


if __name__ == "__main__":
    main(sys.argv[1:])
