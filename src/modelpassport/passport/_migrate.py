"""Bring a passport written by another version of modelpassport to the current schema.

A passport names its ``schema_version``. Reading one that is older walks a chain of
migrations, one step per version (``MIGRATIONS[old] = (new, step)``), each a pure function
on the JSON data, until the current version is reached. A version with no path forward, or one
newer than this program, is refused with one line saying what to do — never guessed at.

When the schema changes, bump ``SCHEMA_VERSION`` and add the step from the previous version
here, with a test that reads a passport of the previous version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from modelpassport.errors import InputError

from ._schema import SCHEMA_VERSION

Step = Callable[[dict[str, Any]], dict[str, Any]]


def _reads_as_is(data: dict[str, Any]) -> dict[str, Any]:
    """A step whose new version only added fields with defaults or dropped fields no
    version ever filled: the data reads as it is (a dropped field's null is ignored), and
    its digest is checked as written."""
    return data


# old version -> (next version, step).
MIGRATIONS: Mapping[str, tuple[str, Step]] = {
    # Added scan rule texts (headline facts are computed, not stored).
    "0.1.0": ("0.2.0", _reads_as_is),
    # Added the narratives judge-vs-lexical comparison; dropped the always-empty
    # bench.costs[].usd_per_quality_point (the capability section carries cost per quality).
    "0.2.0": ("0.3.0", _reads_as_is),
}

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _parse(version: str) -> tuple[int, int, int] | None:
    match = _SEMVER.match(version)
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def migrate(
    data: object,
    where: str | Path,
    *,
    migrations: Mapping[str, tuple[str, Step]] = MIGRATIONS,
    current: str = SCHEMA_VERSION,
) -> dict[str, Any]:
    """Return passport JSON data at the ``current`` schema version.

    Args:
        data: the parsed JSON of a passport file.
        where: the file, named in errors.
        migrations: the chain of steps (tests pass their own).
        current: the version this program writes.

    Raises:
        InputError: not a passport object, no or malformed ``schema_version``, a version newer
            than ``current``, or an older one with no migration path.
    """
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object (a passport)")
    version = data.get("schema_version")
    if not isinstance(version, str) or _parse(version) is None:
        raise InputError(
            where, f"field schema_version: expected a version like {current!r}, got {version!r}"
        )
    parsed, target = _parse(version), _parse(current)
    if parsed is not None and target is not None and parsed > target:
        raise InputError(
            where,
            f"schema_version {version} is newer than this modelpassport "
            f"understands ({current}); upgrade modelpassport to read it",
        )
    seen: set[str] = set()
    while version != current:
        if version not in migrations or version in seen:
            raise InputError(
                where,
                f"schema_version {version} is not supported and has no "
                f"migration to {current}; re-run the audit",
            )
        seen.add(version)
        version, step = migrations[version]
        data = step(dict(data))
        data["schema_version"] = version
    return data
