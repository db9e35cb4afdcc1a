"""Send many requests to one target, resumably.

Every answer (or error) is committed to the journal within one event-loop turn of its
arrival and before it is reported (answers that arrive together share a transaction); a
request whose answer is already in the journal is not sent again. Cancellation (Ctrl-C)
stops the workers; what finished stays in the journal for the next run.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from modelpassport.store import ErrorRecord, Journal, journal_key
from modelpassport.targets import AuthTargetError, ChatRequest, Completion, Target, TargetError


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

    A refused credential (``AuthTargetError``) stops the workers: requests not yet sent
    are returned as errors that say so, and are neither sent nor journaled.
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

    stored = {} if fresh else journal.get_many(list(copies))
    pending: list[tuple[str, ChatRequest]] = []
    seen: set[str] = set()
    for key, request in zip(keys, requests, strict=True):
        if key in seen:
            continue
        seen.add(key)
        entry = stored.get(key)
        if entry is not None and entry.completion is not None:
            report(key, Outcome(request, entry.completion, None, cached=True))
        else:
            pending.append((key, request))

    queue: asyncio.Queue[tuple[str, ChatRequest]] = asyncio.Queue()
    for item in pending:
        queue.put_nowait(item)
    batch = _Batch(journal, target, stage, report)
    refused: list[AuthTargetError] = []

    async def worker() -> None:
        while not refused:
            try:
                key, request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                result: Completion | TargetError = await target.chat(request)
            except AuthTargetError as exc:
                refused.append(exc)
                result = exc
            except TargetError as exc:
                result = exc
            await batch.add(key, request, result)

    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(pending)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        batch.commit()
    if refused:
        # The credentials were refused: nothing left would be answered, so nothing is sent.
        record = ErrorRecord(refused[0].kind, f"not sent: {refused[0]}", refused[0].status)
        for key, request in pending:
            if key not in results:
                report(key, Outcome(request, None, record, cached=False))
    return [results[key] for key in keys]


class _Batch:
    """Group commit: results that arrive in the same event-loop turn share one transaction.

    A commit per result costs a WAL write and lock round-trip each (~0.1 ms of blocked event
    loop, measured in bench/bench_runner.py); batching what finished together keeps the
    journal's promise (a result is durable before it is reported, so kill -9 loses only
    what was in flight) at a fraction of the cost.
    """

    def __init__(
        self, journal: Journal, target: Target, stage: str, report: Callable[[str, Outcome], None]
    ) -> None:
        self._journal = journal
        self._target = target
        self._stage = stage
        self._report = report
        self._results: list[tuple[str, ChatRequest, Completion | TargetError]] = []

    async def add(self, key: str, request: ChatRequest, result: Completion | TargetError) -> None:
        """Queue a result; the first of a batch yields once so others can join, then commits."""
        self._results.append((key, request, result))
        if len(self._results) == 1:
            await asyncio.sleep(0)
            self.commit()

    def commit(self) -> None:
        """Write the queued results in one transaction, then report each."""
        results, self._results = self._results, []
        if not results:
            return
        self._journal.put_many(self._target.identity, self._stage, results)
        for key, request, result in results:
            if isinstance(result, TargetError):
                record = ErrorRecord(result.kind, str(result), result.status)
                self._report(key, Outcome(request, None, record, cached=False))
            else:
                self._report(key, Outcome(request, result, None, cached=False))
