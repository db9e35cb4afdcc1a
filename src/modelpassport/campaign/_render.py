"""The decision table as a self-contained HTML page and as Markdown.

The page extends the report's base template, so it has the same Content-Security-Policy (no
script, no connection, no external resource) and the same autoescape: model names, refs and
fact details are untrusted text. Markdown cells go through the report's ``md_text``.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from modelpassport.report import md_text

from ._table import DecisionTable

_MARKS = {"best": "**{}** ▲", "worst": "{} ▼", "diff": "**{}**", "": "{}"}


def _environment() -> Environment:
    return Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("modelpassport.campaign", "templates"),
                PackageLoader("modelpassport.report", "templates"),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_table_html(table: DecisionTable) -> str:
    """The decision page: the table first, then the charts, then what the marks mean."""
    return _environment().get_template("decision.html.j2").render(t=table)


def render_table_markdown(table: DecisionTable) -> str:
    """The table as Markdown (one row per model), for a ticket or a pull-request comment."""
    header = ["model", "audit"]
    if table.policy is not None:
        header.append("policy")
    columns = [col for group in table.groups for col in group.columns]
    header += [f"{col.label}" + (f" ({col.unit})" if col.unit else "") for col in columns]
    lines = [f"## {md_text(table.title)}", ""]
    if table.policy is not None:
        lines += [f"Policy: {md_text(table.policy)}", ""]
    lines.append("| " + " | ".join(md_text(h) for h in header) + " |")
    lines.append("|" + "---|" * len(header))
    for row in table.rows:
        status = row.status + (f": {row.note}" if row.note else "")
        cells = [md_text(row.name), md_text(f"{status} — {row.source}")]
        if row.decision is not None:
            cells.append(md_text(row.decision.text))
        cells += [_MARKS[cell.mark].format(md_text(cell.text)) for cell in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Bold ▲: better than another model beyond the noise (95% intervals do not overlap); "
        "▼: worse. Bold alone: a category that differs from the others. Plain numbers without "
        "an interval are not marked.",
    ]
    return "\n".join(lines) + "\n"


def write_table(table: DecisionTable, out_dir: Path) -> tuple[Path, Path]:
    """Write decision.html and decision.md (atomic replace each) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / "decision.html", out_dir / "decision.md")
    for path, text in zip(
        paths, (render_table_html(table), render_table_markdown(table)), strict=True
    ):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return paths
