"""The library surface: ``audit`` a REF into a passport.

The CLI is a thin layer over this module; everything it does can be done from Python.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from modelpassport._runinfo import build_run_info, now_iso
from modelpassport._version import __version__
from modelpassport.errors import InputError, ModelPassportError
from modelpassport.passport import (
    Findings,
    Passport,
    StageName,
    StageRun,
    SubjectInfo,
    section_class,
)
from modelpassport.passport.sections import Section
from modelpassport.refs import Subject, resolve
from modelpassport.stages import (
    AuditOptions,
    NullProgress,
    ProgressSink,
    Stage,
    StageContext,
    load_stage,
    parse_stage_options,
)
from modelpassport.store import Journal
from modelpassport.targets import (
    ChatRequest,
    Limits,
    Message,
    Target,
    TargetError,
    open_target,
)

_PREFLIGHT = ChatRequest(messages=(Message(role="user", content="Say OK."),), max_tokens=2)


async def audit(
    ref: str | None,
    options: AuditOptions,
    *,
    files: Path | None = None,
    progress: ProgressSink | None = None,
) -> Passport:
    """Audit ``ref`` with the stages in ``options`` and return its passport.

    Raises:
        ModelPassportError: the REF, a file or the endpoint is unusable (one-line message).
    """
    started = now_iso()
    subject = resolve(ref, files=files)
    progress = progress or NullProgress()
    plan = [(name, load_stage(name)) for name in options.stages]
    _check_settings(plan, options)
    journal = Journal(options.out_dir / "journal.sqlite", fresh=options.fresh)
    target: Target | None = None
    try:
        # Open the target (for a GGUF: load the model) only when a stage cannot do without it.
        if subject.target is not None and any(
            stage is not None
            and (stage.needs == "target" or (stage.needs == "any" and subject.artifacts is None))
            for _, stage in plan
        ):
            target = await _open_checked(subject, options)
        sections: dict[str, Section] = {}
        runs: dict[str, StageRun] = {}
        for name, stage in plan:
            ctx = StageContext(
                subject.ref,
                subject.artifacts,
                target,
                journal,
                options,
                progress,
            )
            t0 = time.perf_counter()
            sections[name] = await _run_stage(name, stage, ctx, subject, options.out_dir)
            runs[name] = StageRun(
                seconds=round(time.perf_counter() - t0, 3),
                requests=ctx.counters.get("requests", 0),
                cached=ctx.counters.get("cached", 0),
                errors=ctx.counters.get("errors", 0),
            )
    finally:
        if target is not None:
            await target.aclose()
        journal.close()
    findings = Findings.model_validate({name: s.model_dump() for name, s in sections.items()})
    info = SubjectInfo(
        ref=subject.ref,
        kind=subject.kind,
        target=target.identity.key() if target else None,
        # Relative to the subject's folder: a passport never carries this machine's paths.
        files=[subject.artifacts.rel(p) for p in subject.artifacts.files]
        if subject.artifacts
        else [],
    )
    config = {"ref": subject.ref, **options.describe()}
    run = build_run_info(started_at=started, config=config, stages=runs)
    return Passport(subject=info, findings=findings, findings_digest=findings.digest(), run=run)


def serving_lane(ref: str | None, *, files: Path | None = None) -> str:
    """Name the serving resource an audit of ``ref`` occupies (validating the REF).

    Why: audits that share a server, a hosted account or the in-process model would compete
    for it and blur each other's rate limits and timings, so a campaign runs audits in the
    same lane one after another and audits in different lanes at once.

    Raises:
        ModelPassportError: the REF (or ``files``) cannot be resolved.
    """
    subject = resolve(ref, files=files)
    spec = subject.target
    if spec is None:
        return f"files:{subject.ref}"
    if spec.provider == "llamacpp":
        return "llamacpp:in-process"
    if spec.base_url:
        return f"{spec.provider}:{urlsplit(spec.base_url).netloc}"
    return f"{spec.provider}:{spec.path or spec.model}"


async def _open_checked(subject: Subject, options: AuditOptions) -> Target:
    """Open the subject's target and prove it answers, so a dead endpoint fails at once."""
    assert subject.target is not None
    cap = int(options.max_response_mb * 2**20)
    limits = Limits(
        concurrency=options.concurrency,
        requests_per_s=options.requests_per_s,
        timeout_s=options.timeout_s,
        max_response_bytes=cap,
    )
    target = open_target(subject.target, limits)
    probe_limits = Limits(
        concurrency=1, timeout_s=options.timeout_s, max_retries=1, max_response_bytes=cap
    )
    # An in-process model is loaded once; remote targets get a separate, impatient client.
    in_process = subject.target.provider == "llamacpp"
    checker = target if in_process else open_target(subject.target, probe_limits)
    try:
        await checker.chat(_PREFLIGHT)
    except TargetError as exc:
        await target.aclose()
        raise ModelPassportError(f"{subject.ref}: the target does not answer ({exc})") from None
    finally:
        if checker is not target:
            await checker.aclose()
    return target


def _check_settings(plan: list[tuple[StageName, Stage | None]], options: AuditOptions) -> None:
    """Validate every stage's settings before any model is loaded or request is sent."""
    unplanned = sorted(set(options.stage_options) - {name for name, _ in plan})
    if unplanned:
        raise InputError(
            f"--option {unplanned[0]}.*",
            f"expected settings only for the stages that run ({', '.join(n for n, _ in plan)})",
        )
    for name, stage in plan:
        if stage is not None:
            parse_stage_options(name, stage.options_model, options.for_stage(name))


async def _run_stage(
    name: StageName, stage: Stage | None, ctx: StageContext, subject: Subject, out_dir: Path
) -> Section:
    cls = section_class(name)
    if stage is None:
        return cls(status="skipped", reason=f"not implemented in modelpassport {__version__}")
    if stage.needs == "target" and ctx.target is None:
        return cls(status="skipped", reason=f"{subject.ref} has no target that answers requests")
    if stage.needs == "artifacts" and ctx.artifacts is None:
        return cls(
            status="skipped",
            reason=f"{subject.ref} has no model files (pass --files DIR with an endpoint)",
        )
    try:
        section = await stage.run(ctx)
    except ModelPassportError as exc:
        return cls(status="error", reason=str(exc), method_version=stage.method_version)
    except Exception as exc:  # a bug in one stage must not lose the other stages' work
        log = out_dir / "errors.log"
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"--- stage {name} ---\n{traceback.format_exc()}\n")
        return cls(
            status="error",
            reason=f"internal error ({type(exc).__name__}: {exc}); traceback in {log}",
            method_version=stage.method_version,
        )
    section.method_version = stage.method_version
    return section
