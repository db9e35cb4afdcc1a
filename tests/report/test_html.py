"""The HTML report and the compare page, checked as documents (the browser tests run them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from modelpassport.errors import InputError
from modelpassport.passport.sections import IdentitySection, SecuritySection
from modelpassport.report import (
    _sections,
    render_compare_html,
    render_compare_markdown,
    render_html,
)
from modelpassport.report._markdown import md_text

from .conftest import (
    bench_section,
    identity_section,
    make_passport,
    narratives_section,
    rich_passport,
)


class _Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_report_is_self_contained_and_strict() -> None:
    html = render_html(rich_passport())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "script-src" not in csp.group(1)  # falls back to 'none'
    tags = _Tags(html).tags
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "img")]
    external = [
        a
        for _, a in tags
        for k in ("src", "href")
        if (a.get(k) or "").startswith(("http", "//", "javascript:"))
    ]
    assert external == []


def test_first_screen_answers_the_adoption_questions() -> None:
    passport = make_passport(
        identity=identity_section(undeclared=True),
        narratives=narratives_section(),
        bench=bench_section(),
    )
    html = render_html(passport)
    first = html[html.index("Should we adopt this?") : html.index('<section class="stage"')]
    for title in (
        "Developer",
        "Developer country",
        "Licence",
        "Lineage matches declaration",
        "Load safety",
        "Narrative index",
        "Robustness",
        "Speed",
        "Cost",
    ):
        assert f'<div class="t">{title}</div>' in first
    assert '<div class="v">Alibaba Cloud</div>' in first
    assert '<div class="v">CN</div>' in first
    assert (
        '<div class="card bad"><div class="t">Lineage matches declaration</div>'
        '<div class="v">no</div><div class="d">files show Qwen2.5 lineage' in first
    )
    assert "+0.300 [+0.180, +0.420] (n=60)" in first
    assert "scan stage skipped: stage not requested" in first
    assert "vocabulary Jaccard 0.99 with qwen2" in html  # detected claim with its evidence


def test_sections_without_a_view_show_their_data_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every shipped stage has a view; a stage added without one (here: security, its view
    # taken away) shows its data as escaped JSON.
    builders = {k: v for k, v in _sections._BUILDERS.items() if k != "security"}
    monkeypatch.setattr(_sections, "_BUILDERS", builders)
    passport = make_passport(
        identity=IdentitySection(status="error", reason="<b>boom</b>"),
        security=SecuritySection(status="ok", reason="<i>x</i>"),
    )
    html = render_html(passport)
    assert "&lt;b&gt;boom&lt;/b&gt;" in html
    assert "<b>boom</b>" not in html
    assert "&#34;reason&#34;: &#34;&lt;i&gt;x&lt;/i&gt;&#34;" in html  # security: JSON, escaped
    assert html.count("section data (JSON)") == 1  # sections with a view are not repeated


def test_invalid_bench_points_are_listed_not_drawn() -> None:
    html = render_html(make_passport(bench=bench_section()))
    assert "no finish_reason: 5" in html
    curve = re.search(r'<polyline class="series" points="([^"]+)"', html)
    assert curve is not None
    assert len(curve.group(1).split()) == 3  # 4 points measured, 1 flagged invalid


def test_compare_highlights_only_real_differences() -> None:
    a = make_passport("a", narratives=narratives_section(index=0.30), bench=bench_section())
    b = make_passport("b", narratives=narratives_section(index=0.25), bench=bench_section())
    c = make_passport(
        "c",
        narratives=narratives_section(index=-0.05),
        bench=bench_section(usd_per_mtok=0.2),
        identity=identity_section(),
    )
    html = render_compare_html([a, b, c])
    row = re.search(r"<th scope=\"row\">Narrative index</th>(.*?)</tr>", html)
    assert row is not None
    cells = re.findall(r"<td( class=\"diff\")?>", row.group(1))
    assert cells == ["", "", ' class="diff"']  # b overlaps a; c's interval does not
    md = render_compare_markdown([a, b, c])
    assert "| Narrative index | \\+0\\.300" in md
    assert "**\\-0\\.050 \\[\\-0\\.170, \\+0\\.070\\] \\(n=60\\)**" in md
    assert "**Alibaba Cloud**" in md


def test_markdown_neutralises_hostile_text() -> None:
    hostile = (
        "x | ![img](http://e.invalid/a.png) <img src=x onerror=alert(1)>\n# head [l](javascript:x)"
    )
    out = md_text(hostile)
    assert "\n" not in out
    assert "<img" not in out
    assert "](" not in out
    assert "\\|" in out
    assert "\\!\\[img\\]" in out
    md = render_compare_markdown([make_passport(hostile), make_passport("b")])
    assert "<img" not in md
    assert "](http" not in md


@pytest.mark.parametrize("count", [0, 1, 27])
def test_compare_needs_two_to_26(count: int) -> None:
    with pytest.raises(InputError, match="expected 2 to 26 passports"):
        render_compare_html([make_passport(str(i)) for i in range(count)])


def test_party_line_and_wrong_language_are_shown() -> None:
    section = narratives_section()
    assert section.overall is not None
    party = section.overall.model_copy(update={"party_line": section.overall.echo})
    wrong = section.overall.refusal
    section = section.model_copy(update={"overall": party, "wrong_language": wrong})
    html = render_html(make_passport(narratives=section))
    assert "<th>party line</th>" in html or ">party line<" in html
    note = "answers written in the other language than the prompt&#39;s: "
    assert note in html
    assert wrong.value is not None
    assert f"{wrong.value:.0%}" in html.split(note, 1)[1][:40]
    assert "narratives.wrong_language_rate" in html  # and as a headline fact
