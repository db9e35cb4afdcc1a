"""Every registered stage and target backend honours its contract, the moment it exists."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from modelpassport.passport import STAGE_NAMES, Findings, fact_specs, section_class
from modelpassport.passport.sections import Section
from modelpassport.stages import StageOptions, load_stage
from modelpassport.targets import ResilientTarget
from modelpassport.targets._registry import _BACKENDS

IMPLEMENTED = [name for name in STAGE_NAMES if section_class(name).stage_class is not None]


def test_the_registry_is_the_findings_model() -> None:
    assert tuple(Findings.model_fields) == STAGE_NAMES
    assert all(issubclass(section_class(name), Section) for name in STAGE_NAMES)


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_every_section_declares_its_facts_under_its_own_name(name: str) -> None:
    specs = section_class(name).fact_specs(name)
    assert specs[0].id == f"{name}.status"
    assert all(spec.stage == name for spec in specs)
    assert len({spec.id for spec in specs}) == len(specs)
    facts = Findings().facts()
    assert [f.id for f in facts] == list(fact_specs())
    assert all(f.missing != (f.id.endswith(".status")) for f in facts)


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_stage_metadata(name: str) -> None:
    stage = load_stage(name)
    assert stage is not None
    assert stage.name == name
    assert stage.needs in ("artifacts", "target", "any")
    assert re.fullmatch(r"\d+\.\d+\.\d+", stage.method_version)
    assert inspect.getdoc(type(stage)), f"{name}: the stage class needs a docstring"
    assert inspect.iscoroutinefunction(stage.run)
    assert issubclass(stage.options_model, StageOptions)
    for key, field in stage.options_model.model_fields.items():
        assert field.description, f"{name}.{key}: every setting needs help text"


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
