"""Writers that turn a passport into files people and tools read."""

from ._cyclonedx import build_cyclonedx, write_cyclonedx
from ._html import render_compare_html, render_html, write_html
from ._json import read_passport, write_json
from ._markdown import render_compare_markdown
from ._sarif import build_sarif, write_sarif

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
