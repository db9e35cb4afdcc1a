"""The decision page in a real headless browser: it renders offline with its charts, and a
hostile model's output and a hostile display name stay text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.report._browser import Elements, dump_dom, screenshot
from tests.report.test_browser import HOSTILE, PAYLOADS, _assert_inert
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import write_campaign
from .servers import PREFLIGHT, prompt, refuser

pytestmark = pytest.mark.browser


def _hostile(body: dict[str, Any]) -> Reply:
    return Reply("OK" if prompt(body) == PREFLIGHT else HOSTILE)


def test_decision_page_in_browser(tmp_path: Path) -> None:
    with FakeOpenAI(_hostile) as bad, FakeOpenAI(refuser) as shy:
        body = (
            f'\n[[models]]\nname = {json.dumps(PAYLOADS[0])}\nref = "{bad.base_url}#x"\n'
            f"[models.price]\nusd_per_mtok_in = 0.3\nusd_per_mtok_out = 1.2\n"
            f"source = {json.dumps(PAYLOADS[1])}\n"
            f'\n[[models]]\nname = "Refuser"\nref = "{shy.base_url}#m"\n'
            f"[models.price]\nusd_per_mtok_in = 2.5\nusd_per_mtok_out = 10\n"
        )
        path = write_campaign(tmp_path, body, sample=12)
        out = tmp_path / "out"
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from modelpassport.cli import main; main()",
                "campaign",
                str(path),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    page = out / "decision.html"
    dom = dump_dom(page)
    elements = _assert_inert(dom, "Panel")
    charts = [a for a in elements.named("svg") if "chart" in (a.get("class") or "")]
    assert len(charts) >= 5  # narrative rate families and the price bars
    rows = [a for a in elements.named("tr") if a.get("data-model") is not None]
    assert [r["data-model"] for r in rows] == [PAYLOADS[0], "Refuser"]
    marked = [a for a in elements.named("td") if a.get("class") in ("best", "worst")]
    assert marked, "the refuser's refusal rate differs beyond the noise"
    assert '&lt;script&gt;document.title="PWNED-script"&lt;/script&gt;' in dom
    assert Elements(dom).title == "Panel"
    screenshot(page, "campaign-decision.png", height=1800)
