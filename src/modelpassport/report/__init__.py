"""Writers that turn a passport into files people and tools read.

Each writer is imported when first used, so reading a passport (``check``, ``show``) does not
load the HTML templating or the CycloneDX library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._compare import disjoint
    from ._cyclonedx import build_cyclonedx, write_cyclonedx
    from ._html import render_compare_html, render_html, write_html
    from ._json import read_passport, write_json
    from ._markdown import md_text, render_compare_markdown
    from ._sarif import build_sarif, write_sarif
    from ._svg import Bar, Point, bar_chart, interval_chart, pareto_front, scatter_chart

_WHERE = {
    "disjoint": "_compare",
    "build_cyclonedx": "_cyclonedx",
    "write_cyclonedx": "_cyclonedx",
    "render_compare_html": "_html",
    "render_html": "_html",
    "write_html": "_html",
    "read_passport": "_json",
    "write_json": "_json",
    "md_text": "_markdown",
    "render_compare_markdown": "_markdown",
    "build_sarif": "_sarif",
    "write_sarif": "_sarif",
    "Bar": "_svg",
    "Point": "_svg",
    "bar_chart": "_svg",
    "interval_chart": "_svg",
    "pareto_front": "_svg",
    "scatter_chart": "_svg",
}

__all__ = [
    "Bar",
    "Point",
    "bar_chart",
    "build_cyclonedx",
    "build_sarif",
    "disjoint",
    "interval_chart",
    "md_text",
    "pareto_front",
    "read_passport",
    "render_compare_html",
    "render_compare_markdown",
    "render_html",
    "scatter_chart",
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
