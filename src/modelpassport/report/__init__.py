"""Writers that turn a passport into files people and tools read."""

from ._compare import disjoint
from ._cyclonedx import build_cyclonedx, write_cyclonedx
from ._html import render_compare_html, render_html, write_html
from ._json import read_passport, write_json
from ._markdown import md_text, render_compare_markdown
from ._sarif import build_sarif, write_sarif
from ._svg import Bar, Point, bar_chart, interval_chart, pareto_front, scatter_chart

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
