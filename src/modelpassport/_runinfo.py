"""Run metadata: when, where and with what the audit ran (kept out of the findings)."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from modelpassport._version import __version__
from modelpassport.passport import RunInfo, StageRun

_REPORTED_PACKAGES = ("pydantic", "httpx", "numpy", "llama-cpp-python", "jinja2")


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of the packages whose behaviour can change a result."""
    found: dict[str, str] = {}
    for name in _REPORTED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def build_run_info(
    *,
    started_at: str,
    config: dict[str, Any],
    stages: dict[str, StageRun],
    interrupted: bool = False,
) -> RunInfo:
    """Assemble RunInfo; the config hash lets two passports prove they ran the same way."""
    config_json = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
    return RunInfo(
        started_at=started_at,
        finished_at=now_iso(),
        host=platform.node(),
        platform=platform.platform(),
        python=sys.version.split()[0],
        modelpassport=__version__,
        packages=package_versions(),
        config=config,
        config_hash=hashlib.sha256(config_json.encode()).hexdigest(),
        stages=stages,
        interrupted=interrupted,
    )
