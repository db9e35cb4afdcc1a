"""The one way a stage sends requests: runner + journal + progress + counters together."""

from __future__ import annotations

from collections.abc import Sequence

from modelpassport.errors import ModelPassportError
from modelpassport.probes import Outcome, run_requests
from modelpassport.targets import AuthTargetError, ChatRequest

from ._contract import StageContext

_REFUSED = AuthTargetError.__name__


async def ask(ctx: StageContext, requests: Sequence[ChatRequest], *, label: str) -> list[Outcome]:
    """Send ``requests`` to the subject's target, resumably, counting what happened.

    The returned outcomes are in the order of ``requests``; errors are outcomes with
    ``error`` set, never answers.

    Raises:
        ModelPassportError: the target refused the credentials; the stage fails with it.
    """
    if ctx.target is None:
        raise ModelPassportError(f"{ctx.ref}: stage {label} needs a target")
    ctx.progress.start(label, len(requests))

    def done(_: Outcome) -> None:
        ctx.progress.advance(label)

    outcomes = await run_requests(
        ctx.target,
        requests,
        ctx.journal,
        stage=label,
        concurrency=ctx.options.concurrency,
        fresh=ctx.options.fresh,
        on_done=done,
    )
    ctx.counters["requests"] = ctx.counters.get("requests", 0) + len(outcomes)
    ctx.counters["cached"] = ctx.counters.get("cached", 0) + sum(o.cached for o in outcomes)
    ctx.counters["errors"] = ctx.counters.get("errors", 0) + sum(
        o.error is not None for o in outcomes
    )
    refused = next((o.error for o in outcomes if o.error and o.error.kind == _REFUSED), None)
    if refused is not None:
        # A stage whose target refused its credentials has no result to give.
        raise ModelPassportError(
            f"{ctx.ref}: {label}: the target stopped the run ({refused.message})"
        )
    return outcomes
