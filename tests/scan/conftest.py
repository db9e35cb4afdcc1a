"""Corpus folders built fresh for each test session; nothing hostile is committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelpassport.artifacts import ArtifactSet
from modelpassport.passport.sections.scan import ScanSection
from modelpassport.scan import scan_artifacts

from . import corpus


@pytest.fixture(scope="session")
def clean_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.clean_folder(tmp_path_factory.mktemp("clean") / "model")


@pytest.fixture(scope="session")
def clean_scan(clean_root: Path) -> ScanSection:
    return scan_artifacts(ArtifactSet.from_path(clean_root))


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.hostile_folder(tmp_path_factory.mktemp("hostile") / "model")


@pytest.fixture(scope="session")
def hostile_scan(hostile_root: Path) -> ScanSection:
    return scan_artifacts(ArtifactSet.from_path(hostile_root))
