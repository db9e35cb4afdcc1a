"""Every registered stage and target backend honours its contract, the moment it exists."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from modelpassport.passport import STAGE_NAMES, Findings
from modelpassport.passport.sections import Section
from modelpassport.stages import STAGE_CLASSES, load_stage
from modelpassport.targets import ResilientTarget
from modelpassport.targets._registry import _BACKENDS

IMPLEMENTED = [name for name, path in STAGE_CLASSES.items() if path is not None]


def test_registry_names_every_passport_section_and_nothing_else() -> None:
    assert set(STAGE_CLASSES) == set(STAGE_NAMES) == set(Findings.model_fields)


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_stage_metadata(name: str) -> None:
    stage = load_stage(name)
    assert stage is not None
    assert stage.name == name
    assert stage.needs in ("artifacts", "target", "any")
    assert re.fullmatch(r"\d+\.\d+\.\d+", stage.method_version)
    assert inspect.getdoc(type(stage)), f"{name}: the stage class needs a docstring"
    assert inspect.iscoroutinefunction(stage.run)


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_every_section_says_why_when_it_did_not_run(name: str) -> None:
    section = getattr(Findings(), name)
    assert isinstance(section, Section)
    assert section.status == "skipped"
    assert section.summary() == "stage not requested"


@pytest.mark.parametrize("provider", sorted(_BACKENDS))
def test_backends_are_resilient_targets_with_an_open_constructor(provider: str) -> None:
    backend = _BACKENDS[provider]
    module = importlib.import_module(backend.module)
    cls = getattr(module, backend.cls)
    assert issubclass(cls, ResilientTarget)
    assert inspect.getdoc(cls)
    assert isinstance(inspect.getattr_static(cls, "open"), classmethod)
