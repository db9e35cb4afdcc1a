"""The self-contained HTML report: no network, every model-written string escaped."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from modelpassport.passport import STAGE_NAMES, Passport


def _environment() -> Environment:
    # Autoescape is on for every template: model output is untrusted text.
    return Environment(
        loader=PackageLoader("modelpassport.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(passport: Passport) -> str:
    """Render one passport as a standalone HTML page."""
    findings = passport.findings
    sections = [
        (name, getattr(findings, name),
         json.dumps(getattr(findings, name).model_dump(mode="json"), indent=2,
                    ensure_ascii=False, sort_keys=True))
        for name in STAGE_NAMES
    ]
    return _environment().get_template("report.html.j2").render(p=passport, sections=sections)


def write_html(passport: Passport, path: Path) -> None:
    """Write the HTML report next to the passport."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(passport), encoding="utf-8")
