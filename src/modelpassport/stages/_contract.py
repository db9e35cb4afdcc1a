"""The stage contract: what a stage receives and what it must return.

Stages never import each other. They share the target contract, the artifacts, the journal
and the passport schema, all handed to them in a ``StageContext``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from modelpassport.artifacts import ArtifactSet
from modelpassport.passport import StageName
from modelpassport.passport.sections import Section
from modelpassport.store import Journal
from modelpassport.targets import Target

from ._options import OptionsT, StageOptions, parse_stage_options

Needs = Literal["artifacts", "target", "any"]


class ProgressSink(Protocol):
    """Where stages report progress; the CLI draws it, the library ignores it."""

    def start(self, label: str, total: int | None) -> None:
        """Begin a task of ``total`` steps (None when unknown)."""
        ...

    def advance(self, label: str, steps: int = 1) -> None:
        """Mark steps of a started task done."""
        ...


class NullProgress:
    """Progress that goes nowhere (library use, tests)."""

    def start(self, label: str, total: int | None) -> None:
        """Ignore."""

    def advance(self, label: str, steps: int = 1) -> None:
        """Ignore."""


@dataclass(frozen=True)
class AuditOptions:
    """Settings for one audit. ``stage_options`` holds per-stage ``key=value`` settings
    (``--option narratives.max_tokens=40``), validated against each stage's ``options_model``
    before anything runs."""

    stages: tuple[StageName, ...]
    out_dir: Path
    fresh: bool = False
    concurrency: int = 4
    requests_per_s: float | None = None
    timeout_s: float = 120.0
    max_response_mb: float = 16.0
    seed: int = 0
    sample: int | None = None
    stage_samples: Mapping[str, int] = field(default_factory=dict)
    references: tuple[Path, ...] = ()
    stage_options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def sample_for(self, name: str) -> int | None:
        """How many items a stage samples: its own figure if given, else ``sample`` (None:
        the whole suite)."""
        return self.stage_samples.get(name, self.sample)

    def for_stage(self, name: str) -> Mapping[str, str]:
        """The ``key=value`` settings given for one stage."""
        return self.stage_options.get(name, {})

    def describe(self) -> dict[str, Any]:
        """A JSON-ready view, recorded in the passport's run metadata."""
        return {
            "stages": list(self.stages),
            "fresh": self.fresh,
            "concurrency": self.concurrency,
            "requests_per_s": self.requests_per_s,
            "timeout_s": self.timeout_s,
            "max_response_mb": self.max_response_mb,
            "seed": self.seed,
            "sample": self.sample,
            "stage_samples": dict(sorted(self.stage_samples.items())),
            "references": [str(p) for p in self.references],
            "stage_options": {k: dict(v) for k, v in sorted(self.stage_options.items())},
        }


@dataclass
class StageContext:
    """Everything a stage may use. ``target``/``artifacts`` are None when the subject lacks them."""

    ref: str
    artifacts: ArtifactSet | None
    target: Target | None
    journal: Journal
    options: AuditOptions
    progress: ProgressSink = field(default_factory=NullProgress)
    counters: dict[str, int] = field(default_factory=dict)

    def settings(self, stage: str, cls: type[OptionsT]) -> OptionsT:
        """One stage's ``--option`` settings, validated into its options model.

        ``api.audit`` validates every stage's settings before anything runs, so a mistake fails
        at once; a stage reads them here, typed.
        """
        return parse_stage_options(stage, cls, self.options.for_stage(stage))


class Stage(Protocol):
    """One independent part of the audit, producing one passport section."""

    name: StageName
    needs: Needs
    method_version: str
    options_model: type[StageOptions]

    async def run(self, ctx: StageContext) -> Section:
        """Measure and return the section (status 'ok'); raise ModelPassportError to fail it."""
        ...
