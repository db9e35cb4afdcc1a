"""Send many requests to one target, resumably.

Every answer (or error) is committed to the journal the moment it arrives; a request whose
answer is already in the journal is not sent again. Cancellation (Ctrl-C) stops the workers;
what finished stays in the journal for the next run.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from modelpassport.store import ErrorRecord, Journal, journal_key
from modelpassport.targets import ChatRequest, Completion, Target, TargetError


@dataclass(frozen=True)
class Outcome:
    """The result of one request: an answer or an error, never both."""

    request: ChatRequest
    completion: Completion | None
    error: ErrorRecord | None
    cached: bool


OnDone = Callable[[Outcome], None]


async def run_requests(
    target: Target,
    requests: Sequence[ChatRequest],
    journal: Journal,
    *,
    stage: str,
    concurrency: int = 4,
    fresh: bool = False,
    on_done: OnDone | None = None,
) -> list[Outcome]:
    """Answer every request, in order of ``requests``, reusing journaled answers.

    Args:
        target: who answers.
        requests: what to ask; duplicates are asked once.
        journal: where answers are cached and recorded.
        stage: the stage name recorded beside each result.
        concurrency: how many requests are in flight at once.
        fresh: ignore cached answers (they are replaced as new ones arrive).
        on_done: called once per request as it completes (progress display); a duplicate
            is reported with the outcome of the request it duplicates.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    results: dict[str, Outcome] = {}
    keys = [journal_key(target.identity, r) for r in requests]
    copies = Counter(keys)

    def report(key: str, outcome: Outcome) -> None:
        results[key] = outcome
        if on_done:
            for _ in range(copies[key]):
                on_done(outcome)

    pending: list[tuple[str, ChatRequest]] = []
    seen: set[str] = set()
    for key, request in zip(keys, requests, strict=True):
        if key in seen:
            continue
        seen.add(key)
        entry = None if fresh else journal.get(key)
        if entry is not None and entry.completion is not None:
            report(key, Outcome(request, entry.completion, None, cached=True))
        else:
            pending.append((key, request))

    queue: asyncio.Queue[tuple[str, ChatRequest]] = asyncio.Queue()
    for item in pending:
        queue.put_nowait(item)

    async def worker() -> None:
        while True:
            try:
                key, request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                completion = await target.chat(request)
            except TargetError as exc:
                journal.put_error(key, target.identity, stage, request, exc)
                record = ErrorRecord(exc.kind, str(exc), exc.status)
                outcome = Outcome(request, None, record, cached=False)
            else:
                journal.put_completion(key, target.identity, stage, request, completion)
                outcome = Outcome(request, completion, None, cached=False)
            report(key, outcome)

    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(pending)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
    return [results[key] for key in keys]
