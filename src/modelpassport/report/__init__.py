"""Writers that turn a passport into files people and tools read.

Each writer is imported when first used, so reading a passport (``check``, ``show``) does not
load the HTML templating or the CycloneDX library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._cyclonedx import build_cyclonedx, write_cyclonedx
    from ._html import render_compare_html, render_html, write_html
    from ._json import read_passport, write_json
    from ._markdown import render_compare_markdown
    from ._sarif import build_sarif, write_sarif

_WHERE = {
    "build_cyclonedx": "_cyclonedx",
    "write_cyclonedx": "_cyclonedx",
    "render_compare_html": "_html",
    "render_html": "_html",
    "write_html": "_html",
    "read_passport": "_json",
    "write_json": "_json",
    "render_compare_markdown": "_markdown",
    "build_sarif": "_sarif",
    "write_sarif": "_sarif",
}

__all__ = [
    "build_cyclonedx",
    "build_sarif",
    "read_passport",
    "render_compare_html",
    "render_compare_markdown",
    "render_html",
    "write_cyclonedx",
    "write_html",
    "write_json",
    "write_sarif",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
