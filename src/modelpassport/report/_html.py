"""The self-contained HTML report: no network, no script, every model-written string escaped.

Untrusted text (answers, template contents, file names, refs) reaches the page only through
Jinja autoescape or the SVG module's own escaping; a Content-Security-Policy meta tag that
allows no script, no connection and no external resource is the second line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from modelpassport._files import write_atomic
from modelpassport.errors import InputError
from modelpassport.passport import Passport

from ._compare import MAX_COMPARED, compare
from ._sections import section_views
from ._views import headline


def _environment() -> Environment:
    # Autoescape is on for every template: model output is untrusted text.
    env = Environment(
        loader=PackageLoader("modelpassport.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["zip"] = zip
    return env


def render_html(passport: Passport) -> str:
    """Render one passport as a standalone HTML page: the verdict first, then the evidence."""
    digest_ok, cards = headline(passport)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(p=passport, digest_ok=digest_ok, cards=cards, views=section_views(passport))
    )


def write_html(passport: Passport, path: Path) -> None:
    """Write the HTML report next to the passport (atomic replace)."""
    write_atomic(path, render_html(passport))


def check_comparable(passports: Sequence[Passport]) -> None:
    """Compare needs two or more passports and at most one column per letter."""
    if not 2 <= len(passports) <= MAX_COMPARED:
        raise InputError(
            "passports", f"expected 2 to {MAX_COMPARED} passports to compare, got {len(passports)}"
        )


def render_compare_html(passports: Sequence[Passport]) -> str:
    """Render passports side by side with differences from the first highlighted."""
    check_comparable(passports)
    return _environment().get_template("compare.html.j2").render(c=compare(passports))
