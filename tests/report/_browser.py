"""Headless Debian chromium for report tests: load a local file, dump the DOM or screenshot it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--virtual-time-budget=3000",
)


def chromium_path() -> str:
    """The chromium binary, or skip (CI installs it with scripts/ci-system-deps.sh)."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium not installed (scripts/ci-system-deps.sh installs it)")
    return path


def run_chromium(page: Path, *extra: str) -> str:
    """Open ``page`` in a fresh profile; return stdout (the DOM when --dump-dom is given)."""
    with tempfile.TemporaryDirectory(prefix="mp-chromium-") as profile:
        result = subprocess.run(
            [chromium_path(), *_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def dump_dom(page: Path) -> str:
    """The DOM after load (scripts, had any run, would have changed it)."""
    return run_chromium(page, "--dump-dom")


def screenshot(page: Path, name: str, height: int = 3200) -> Path:
    """Write a full-width screenshot under test-artifacts/ (git-ignored) and return it."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / name
    run_chromium(page, f"--screenshot={out}", f"--window-size=1280,{height}")
    assert out.stat().st_size > 10_000, "screenshot is blank"
    return out


class Elements(HTMLParser):
    """Counts elements and collects attributes and the title from dumped DOM."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title" and not self.title

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        """Attributes of every element called ``tag``."""
        return [attrs for name, attrs in self.tags if name == tag]
