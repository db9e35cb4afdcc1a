"""The report in a real headless browser: it renders offline, its charts are there, and model
output that tries to run script does nothing.

Each payload would change ``document.title`` (or add a marker element) if it ran; the DOM that
chromium dumps after load proves it did not. Two control pages prove the probe can fail: the
same payload in a page without escaping and without CSP does change the title.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from modelpassport.passport.sections import ScanSection
from modelpassport.report import read_passport, render_compare_html, render_html

from ._browser import ARTIFACTS, Elements, dump_dom, run_chromium, screenshot
from .conftest import bench_section, make_passport, narratives_section, scan_section

pytestmark = pytest.mark.browser

PAYLOADS = (
    '<script>document.title="PWNED-script"</script>',
    "<img src=x onerror=\"document.title='PWNED-img'\">",
    '<a href="javascript:document.title=\'PWNED-link\'" id="PWNED-link">click</a>',
    "<svg onload=\"document.title='PWNED-svg'\"></svg>",
    '</pre></div><script>document.body.insertAdjacentHTML("beforeend","<b id=PWNED-marker>")'
    "</script>",
    "]]><script>document.title='PWNED-cdata'</script>",
)
HOSTILE = "\n".join(PAYLOADS)


def _hostile_passport(ref: str = "scripted:hostile.json") -> object:
    scan = scan_section(evidence=HOSTILE)
    scan = ScanSection.model_validate(
        {
            **scan.model_dump(),
            "findings": [
                {**scan.findings[0].model_dump(), "file": PAYLOADS[1], "message": PAYLOADS[0]}
            ],
        }
    )
    narratives = narratives_section(HOSTILE)
    narratives = narratives.model_copy(
        update={
            "items": [
                item.model_copy(
                    update={
                        "topic": PAYLOADS[3],
                        "flags_echoed": [PAYLOADS[2]],
                        "think": PAYLOADS[0],
                    }
                )
                if i == 0
                else item
                for i, item in enumerate(narratives.items)
            ]
        }
    )
    return make_passport(ref + PAYLOADS[0], narratives=narratives, bench=bench_section(), scan=scan)


def _assert_inert(dom: str, expected_title: str) -> Elements:
    page = Elements(dom)
    assert page.title == expected_title
    assert page.named("script") == []
    assert page.named("img") == []
    assert not [a for a in page.named("a") if (a.get("href") or "").startswith("javascript:")]
    assert not [
        t
        for t in page.tags
        if any(
            "PWNED" in (v or "")
            for k, v in t[1].items()
            if k in ("id", "onerror", "onload", "href")
        )
    ]
    assert "PWNED-marker" not in dom.replace("&lt;b id=PWNED-marker&gt;", "")
    return page


def test_controls_show_the_probe_detects_execution(tmp_path: Path) -> None:
    bare = tmp_path / "bare.html"
    bare.write_text(
        f"<!doctype html><title>control</title><body><pre>{PAYLOADS[4]}{PAYLOADS[0]}</body>"
    )
    dom = dump_dom(bare)
    assert Elements(dom).title == "PWNED-script"
    assert 'id="PWNED-marker"' in dom


def test_csp_blocks_script_even_if_escaping_failed(tmp_path: Path) -> None:
    html = render_html(make_passport()).replace("</body>", PAYLOADS[0] + "</body>")
    page = tmp_path / "csp.html"
    page.write_text(html)
    assert Elements(dump_dom(page)).title.startswith("Model passport")


def test_report_renders_charts_and_hostile_output_stays_text(tmp_path: Path) -> None:
    passport = _hostile_passport()
    page = tmp_path / "report.html"
    page.write_text(render_html(passport))
    dom = dump_dom(page)
    elements = _assert_inert(dom, f"Model passport: {passport.subject.ref}")  # type: ignore[attr-defined]
    charts = [a for a in elements.named("svg") if "chart" in (a.get("class") or "")]
    assert len(charts) >= 6  # heatmap, index, gap, state, latency curve, cost
    assert len(elements.named("rect")) > 10
    assert len(elements.named("polyline")) >= 1
    assert dom.count('&lt;script&gt;document.title="PWNED-script"&lt;/script&gt;') >= 3
    assert "Should we adopt this?" in dom
    shot = screenshot(page, "report-hostile.png")
    assert shot.exists()


def test_compare_page_in_browser(tmp_path: Path) -> None:
    a = _hostile_passport("a")
    b = make_passport(
        "b" + PAYLOADS[1],
        narratives=narratives_section(index=0.02, echo_zh=1),
        bench=bench_section(scale=2.0, usd_per_mtok=0.2),
    )
    page = tmp_path / "compare.html"
    page.write_text(render_compare_html([a, b]))  # type: ignore[list-item]
    dom = dump_dom(page)
    elements = _assert_inert(dom, "Model passports compared (2)")
    assert len([a for a in elements.named("td") if a.get("class") == "diff"]) >= 3
    assert len(elements.named("polyline")) == 2
    screenshot(page, "compare.png", height=2000)


def test_real_audit_of_a_hostile_model_renders_inert(tmp_path: Path) -> None:
    """Model output through the whole pipeline: a scripted model whose every answer is a
    payload is audited by the real stages, and its report is opened in the browser."""
    script = tmp_path / "hostile.json"
    script.write_text(json.dumps({"model": "hostile", "rules": [], "default": HOSTILE}))
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from modelpassport.cli import main; main()",
            "audit",
            f"scripted:{script}",
            "--stages",
            "narratives,bench",
            "--sample",
            "24",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    passport = read_passport(out / "passport.json")
    assert passport.findings.narratives.status == "ok"
    assert passport.findings.narratives.items[0].answer == HOSTILE[:600]
    dom = dump_dom(out / "report.html")
    elements = _assert_inert(dom, f"Model passport: scripted:{script}")
    assert [a for a in elements.named("svg") if "chart" in (a.get("class") or "")]
    assert '&lt;script&gt;document.title="PWNED-script"&lt;/script&gt;' in dom
    pdf = ARTIFACTS / "report-real-audit.pdf"
    run_chromium(out / "report.html", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert pages >= 2  # printable: the verdict page, then a page per stage that ran
