"""Fixtures for the narratives tests: a small bilingual suite with matched controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.probes import Suite, load_suite

from .personas import fixture_items, write_suite


@pytest.fixture
def suite_path(tmp_path: Path) -> Path:
    """A valid 32-item suite file (sensitive PRC items, US controls, EN/ZH twins)."""
    return write_suite(tmp_path / "suite.jsonl", fixture_items())


@pytest.fixture
def suite(suite_path: Path) -> Suite:
    """The fixture suite, loaded."""
    return load_suite(suite_path)
