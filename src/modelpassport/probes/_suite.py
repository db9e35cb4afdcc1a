"""Load a probe suite (JSONL) into validated items, failing with file:line and field.

A suite file is untrusted input: lines are read one at a time with a length cap, every item
is validated, ids must be unique, every line must belong to the same suite and version, and
EN/ZH twins must really be one item in two languages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from modelpassport.errors import InputError

from ._items import ProbeItem

MAX_LINE_BYTES = 256 * 1024
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class Suite:
    """A versioned list of probe items, as loaded from one file."""

    name: str
    version: str
    path: Path
    items: tuple[ProbeItem, ...]


def bundled_suite_path(name: str) -> Path:
    """The path of a suite shipped with the package (``suites/NAME.jsonl``)."""
    path = Path(str(resources.files("modelpassport.probes").joinpath("suites", f"{name}.jsonl")))
    if not path.is_file():
        raise InputError(path, f"no bundled suite named {name!r}")
    return path


M = TypeVar("M", bound=BaseModel)


def read_jsonl(path: Path, model: type[M]) -> list[tuple[int, M]]:
    """Validate every non-blank line of a JSONL file as ``model``, with its line number.

    Lines are read one at a time and capped in length, so a hostile file cannot exhaust
    memory.

    Raises:
        InputError: naming ``path:line`` and the field, for the first problem found.
    """
    rows: list[tuple[int, M]] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    with handle:
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            where = f"{path}:{number}"
            if len(raw) > MAX_LINE_BYTES:
                raise InputError(where, f"expected a line under {MAX_LINE_BYTES} bytes")
            if raw.strip():
                rows.append((number, _parse_line(raw, where, model)))
            if len(rows) > MAX_ITEMS:
                raise InputError(path, f"expected at most {MAX_ITEMS} records")
    if not rows:
        raise InputError(path, "expected at least one record (a JSON object per line)")
    return rows


def load_suite(path: Path) -> Suite:
    """Read and validate every item of the suite at ``path``.

    Raises:
        InputError: naming ``path:line`` and the field, for the first problem found.
    """
    rows = read_jsonl(path, ProbeItem)
    first = rows[0][1]
    seen: dict[str, int] = {}
    for number, item in rows:
        where = f"{path}:{number}"
        if item.id in seen:
            raise InputError(
                f"{where}: id", f"expected a unique id; {item.id!r} is also on line {seen[item.id]}"
            )
        seen[item.id] = number
        if (item.suite, item.suite_version) != (first.suite, first.suite_version):
            raise InputError(
                f"{where}: suite",
                f"expected {first.suite} {first.suite_version} like the first item of the file",
            )
    items = [item for _, item in rows]
    _check_twins(path, items)
    return Suite(first.suite, first.suite_version, path, tuple(items))


def _parse_line(raw: bytes, where: str, model: type[M]) -> M:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(where, "expected UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(where, f"expected one JSON object per line ({exc.msg})") from None
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "record"
        raise InputError(f"{where}: {field}", f"expected {first['msg'].lower()}") from None


def _check_twins(path: Path, items: list[ProbeItem]) -> None:
    twins: dict[str, list[ProbeItem]] = defaultdict(list)
    for item in items:
        twins[item.twin_id].append(item)
    for twin_id, group in twins.items():
        langs = [i.lang for i in group]
        same = {(i.topic, i.state, i.kind, i.variant, i.pair_id) for i in group}
        if len(langs) != len(set(langs)) or len(same) != 1:
            ids = ", ".join(i.id for i in group)
            raise InputError(
                f"{path}: twin_id {twin_id}",
                "expected one item per language "
                f"sharing topic, state, kind, variant and pair_id ({ids})",
            )
