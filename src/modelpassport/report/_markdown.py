"""Markdown comparison for pull-request comments: the headline table, differences in bold.

Model-written and file-derived text is neutralised for Markdown: HTML is entity-escaped
(GitHub renders inline HTML), table pipes and newlines are escaped, control and invisible
characters are shown as escapes (``_display.inert``), and Markdown control characters are
backslash-escaped so a value cannot become a link, an image or a heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from modelpassport._display import inert
from modelpassport.passport import Passport

from ._compare import compare
from ._html import check_comparable

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_text(text: str) -> str:
    """Make arbitrary text inert inside a Markdown table cell."""
    text = " ".join(text.split())
    text = inert(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_compare_markdown(passports: Sequence[Passport]) -> str:
    """A Markdown table of headline facts across passports (first = baseline)."""
    check_comparable(passports)
    c = compare(passports)
    lines = ["## Model passports compared", ""]
    lines += [
        f"- **{label}**: {md_text(ref)}" + (" (baseline)" if i == 0 else "")
        for i, (label, ref) in enumerate(zip(c.labels, c.refs, strict=True))
    ]
    lines += ["", "| fact | " + " | ".join(c.labels) + " |", "|---|" + "---|" * len(c.labels)]
    for row in c.rows:
        cells = [
            f"**{md_text(cell.text)}**" if cell.differs else md_text(cell.text)
            for cell in row.cells
        ]
        lines.append(f"| {md_text(row.label)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Bold: differs from the baseline (rates and indices: 95% intervals do not overlap).",
    ]
    return "\n".join(lines) + "\n"
