"""The canonical JSON writer and reader of passports."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from modelpassport._files import write_atomic
from modelpassport.errors import InputError
from modelpassport.passport import Passport, migrate

# A passport is small; anything this large is not one, and is not read into memory.
MAX_PASSPORT_BYTES = 64 * 1024 * 1024


def write_json(passport: Passport, path: Path) -> None:
    """Write the passport as indented, key-sorted UTF-8 JSON (atomic replace)."""
    text = json.dumps(
        passport.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False
    )
    write_atomic(path, text + "\n")


def read_passport(path: Path) -> Passport:
    """Read and validate a passport file; one-line errors name the file and the field."""
    if not path.is_file():
        raise InputError(path, "no such passport file")
    if path.stat().st_size > MAX_PASSPORT_BYTES:
        raise InputError(path, f"larger than {MAX_PASSPORT_BYTES} bytes; not a passport")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"expected passport JSON ({exc})") from None
    as_written = data if isinstance(data, dict) else {}
    data = migrate(data, path)
    try:
        passport = Passport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(path, f"field {where}: {first['msg']}") from None
    passport.mark_read(as_written)
    return passport
