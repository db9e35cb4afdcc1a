"""Writers that turn a passport into files people and tools read."""

from ._html import render_html, write_html
from ._json import read_passport, write_json

__all__ = ["read_passport", "render_html", "write_html", "write_json"]
