"""Run a campaign: every model audited into its own folder, resumably, lanes in parallel.

Audits that share a serving resource (one server, one hosted provider, the in-process model)
form a lane and run one after another under that model's concurrency and rate limits; lanes
run at once, at most ``parallel`` audits together. Each model gets ``OUT/models/NAME/`` with
its journal, so an interrupted audit resumes where it stopped; ``OUT/campaign-state.json``
records which audits finished, so a rerun keeps them exactly as they were. Only a small
summary of each audit is held in memory: passports are written as they finish and read back
one at a time for the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from modelpassport.api import audit, serving_lane
from modelpassport.errors import MissingExtraError, ModelPassportError
from modelpassport.passport import Passport
from modelpassport.report import write_cyclonedx, write_html, write_json, write_sarif
from modelpassport.stages import AuditOptions

from ._file import Campaign, ModelEntry, slug
from ._state import AuditStatus, CampaignState, ModelState, read_state, write_state

STATE_FILE = "campaign-state.json"
MODELS_DIR = "models"

# (model name, what happened: kept | started | complete | incomplete | failed, detail)
EventSink = Callable[[str, str, str], None]


@dataclass(frozen=True)
class AuditResult:
    """How one model's audit ended, and where its passport is."""

    name: str
    status: AuditStatus
    message: str
    passport: Path | None


def _ignore(name: str, event: str, detail: str) -> None:
    """Events that go nowhere (library use)."""


def _shortfall(passport: Passport) -> str:
    """Why a written passport does not carry a whole audit ('' when it does)."""
    problems = []
    for name, section in passport.findings.sections():
        if section.status == "error":
            problems.append(f"{name}: {section.reason}")
    for name, run in passport.run.stages.items():
        if run.errors:
            problems.append(f"{name}: {run.errors} of {run.requests} requests failed")
    return "; ".join(problems)


def _write_outputs(passport: Passport, folder: Path) -> None:
    write_json(passport, folder / "passport.json")
    write_html(passport, folder / "report.html")
    write_sarif(passport, folder / "passport.sarif")
    # The BOM needs an optional extra; passport.json carries everything it would.
    with contextlib.suppress(MissingExtraError):
        write_cyclonedx(passport, folder / "bom.cdx.json")


def _log_traceback(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "errors.log"
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"--- campaign audit ---\n{traceback.format_exc()}\n")
    return log


class _Runner:
    def __init__(
        self, campaign: Campaign, out_dir: Path, *, fresh: bool, on_event: EventSink
    ) -> None:
        self.campaign = campaign
        self.out_dir = out_dir
        self.fresh = fresh
        self.on_event = on_event
        self.state_path = out_dir / STATE_FILE
        self.state = CampaignState() if fresh else read_state(self.state_path)
        self.gate = asyncio.Semaphore(campaign.parallel)

    def _save(self, key: str, entry: ModelState) -> None:
        self.state.models[key] = entry
        write_state(self.state, self.state_path)

    def _options(self, model: ModelEntry, folder: Path) -> AuditOptions:
        c = self.campaign
        return AuditOptions(
            stages=c.stages_for(model),
            out_dir=folder,
            fresh=self.fresh,
            concurrency=model.concurrency or c.concurrency,
            requests_per_s=model.rps or c.rps,
            timeout_s=model.timeout_s or c.timeout_s,
            seed=c.seed,
            sample=model.sample or c.sample,
            stage_options=c.options_for(model),
        )

    def _kept(self, model: ModelEntry, key: str, fingerprint: str) -> AuditResult | None:
        """The finished audit of this very entry from an earlier run, if its passport is there."""
        entry = self.state.models.get(key)
        if self.fresh or entry is None or entry.status != "complete":
            return None
        if entry.fingerprint != fingerprint or entry.passport is None:
            return None
        path = self.out_dir / entry.passport
        if not path.is_file():
            return None
        return AuditResult(model.name, "complete", entry.message, path)

    async def lane(self, models: list[ModelEntry]) -> list[AuditResult]:
        return [await self.one(model) for model in models]

    async def one(self, model: ModelEntry) -> AuditResult:
        key = slug(model.name)
        fingerprint = self.campaign.fingerprint(model)
        kept = self._kept(model, key, fingerprint)
        if kept is not None:
            self.on_event(model.name, "kept", "finished in an earlier run")
            return kept
        folder = self.out_dir / MODELS_DIR / key
        previous = self.state.models.get(key, ModelState())
        async with self.gate:
            self._save(
                key, ModelState(status="running", fingerprint=fingerprint, runs=previous.runs + 1)
            )
            self.on_event(model.name, "started", model.ref)
            status, message, passport_path = await self._audit(model, folder)
        relative = str(passport_path.relative_to(self.out_dir)) if passport_path else None
        self._save(
            key,
            ModelState(
                status=status,
                fingerprint=fingerprint,
                message=message,
                passport=relative,
                runs=previous.runs + 1,
            ),
        )
        self.on_event(model.name, status, message)
        return AuditResult(model.name, status, message, passport_path)

    async def _audit(self, model: ModelEntry, folder: Path) -> tuple[AuditStatus, str, Path | None]:
        try:
            passport = await audit(model.ref, self._options(model, folder), files=model.files)
        except ModelPassportError as exc:
            return "failed", str(exc), None
        except Exception as exc:  # one model's failure must not lose the others' audits
            log = _log_traceback(folder)
            return "failed", f"internal error ({type(exc).__name__}: {exc}); see {log}", None
        _write_outputs(passport, folder)
        shortfall = _shortfall(passport)
        return ("incomplete" if shortfall else "complete"), shortfall, folder / "passport.json"


async def run_campaign(
    campaign: Campaign,
    out_dir: Path,
    *,
    fresh: bool = False,
    on_event: EventSink | None = None,
) -> list[AuditResult]:
    """Audit every model of the campaign that has no finished audit in ``out_dir``.

    Returns one result per model, in the campaign file's order. An audit that fails is
    recorded as failed with its message and the others go on; rerunning retries it (its
    journal keeps what it had finished) and keeps every complete audit as it was.
    """
    runner = _Runner(campaign, out_dir, fresh=fresh, on_event=on_event or _ignore)
    lanes: dict[str, list[ModelEntry]] = {}
    for model in campaign.models:
        lanes.setdefault(serving_lane(model.ref, files=model.files), []).append(model)
    done = await asyncio.gather(*(runner.lane(models) for models in lanes.values()))
    by_name = {result.name: result for results in done for result in results}
    return [by_name[model.name] for model in campaign.models]
