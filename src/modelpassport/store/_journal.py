"""SQLite journal of every request sent to a target: the cache that makes runs resumable.

Each finished result is committed as soon as it arrives (results that arrive together
share one transaction), so a crash or kill -9 loses at most the requests in flight. Keys
hash (target identity, request), so a different model or a changed prompt is never served
a stale answer.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from modelpassport.errors import InputError
from modelpassport.targets import ChatRequest, Completion, TargetError, TargetIdentity

_BATCH = 500  # keys per lookup query, well under SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key        TEXT PRIMARY KEY,
    target     TEXT NOT NULL,
    stage      TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    completion TEXT,
    error_kind TEXT,
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS results_stage ON results (target, stage);
"""


@dataclass(frozen=True)
class ErrorRecord:
    """A failed request as stored: the error class and its message."""

    kind: str
    message: str
    status: int | None = None


@dataclass(frozen=True)
class JournalEntry:
    """One stored result: exactly one of ``completion`` or ``error`` is set."""

    key: str
    completion: Completion | None
    error: ErrorRecord | None
    attempts: int


def _entry(
    key: str,
    completion_json: str | None,
    error_kind: str | None,
    error_json: str | None,
    attempts: int,
) -> JournalEntry:
    """Decode one row; raises ValueError (or a subclass) when the row is malformed."""
    if completion_json is not None:
        return JournalEntry(key, Completion.model_validate_json(completion_json), None, attempts)
    detail = json.loads(error_json or "")
    if not isinstance(detail, dict) or not isinstance(detail.get("message"), str):
        raise ValueError("error record without a message")
    record = ErrorRecord(str(error_kind), detail["message"], detail.get("status"))
    return JournalEntry(key, None, record, attempts)


def journal_key(target: TargetIdentity, request: ChatRequest) -> str:
    """The journal key of a request sent to a target."""
    return hashlib.sha256(f"{target.key()}\n{request.digest()}".encode()).hexdigest()


def _set_aside(path: Path) -> Path:
    """Rename a file that is not a journal (and its WAL files) to an unused ``.bad-N`` name."""
    n = 1
    while path.with_name(f"{path.name}.bad-{n}").exists():
        n += 1
    kept = path.with_name(f"{path.name}.bad-{n}")
    path.rename(kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    return kept


class Journal:
    """An append-and-replace store of request results in one SQLite file."""

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        """Open (or create) the journal; with ``fresh``, a file that is not a journal is set
        aside under a new name (kept, never deleted) and a new journal started."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError as exc:
            if not fresh:
                raise InputError(
                    path,
                    f"is not a modelpassport journal ({exc}); rerun with --fresh to set it "
                    "aside (it is kept, renamed) and start over",
                ) from None
            _set_aside(path)
            self._db = self._open(path)
        self.path = path

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, key: str) -> JournalEntry | None:
        """The stored result for ``key``, or None if it was never recorded."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The stored results among ``keys``, looked up in batches (one query per batch)."""
        found: dict[str, JournalEntry] = {}
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            query = (
                "SELECT key, completion, error_kind, error, attempts FROM results"
                f" WHERE key IN ({', '.join('?' * len(batch))})"
            )
            for row in self._db.execute(query, tuple(batch)):
                try:
                    found[row[0]] = _entry(*row)
                except ValueError as exc:  # pydantic's ValidationError and JSON errors too
                    raise InputError(
                        self.path,
                        f"result {row[0][:12]} is not a valid journal record"
                        f" ({type(exc).__name__}); run with --fresh or delete the file",
                    ) from None
        return found

    def put_completion(
        self, key: str, target: TargetIdentity, stage: str, request: ChatRequest, done: Completion
    ) -> None:
        """Record a successful answer, replacing any earlier error for the same key."""
        self._db.execute(
            "INSERT INTO results (key, target, stage, request, status, completion, created_at)"
            " VALUES (?, ?, ?, ?, 'ok', ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET status='ok', completion=excluded.completion,"
            " error_kind=NULL, error=NULL, attempts=attempts+1, created_at=excluded.created_at",
            (
                key,
                target.key(),
                stage,
                request.model_dump_json(),
                done.model_dump_json(),
                time.time(),
            ),
        )

    def put_error(
        self, key: str, target: TargetIdentity, stage: str, request: ChatRequest, exc: TargetError
    ) -> None:
        """Record a failure as an error (never as answer text)."""
        encoded = json.dumps({"message": str(exc), "status": exc.status}, ensure_ascii=False)
        self._db.execute(
            "INSERT INTO results (key, target, stage, request, status, error_kind, error,"
            " created_at) VALUES (?, ?, ?, ?, 'error', ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET status='error', completion=NULL,"
            " error_kind=excluded.error_kind, error=excluded.error, attempts=attempts+1,"
            " created_at=excluded.created_at",
            (key, target.key(), stage, request.model_dump_json(), exc.kind, encoded, time.time()),
        )

    def put_many(
        self,
        target: TargetIdentity,
        stage: str,
        results: Sequence[tuple[str, ChatRequest, Completion | TargetError]],
    ) -> None:
        """Record several (key, request, answer or error) results in one transaction.

        Raises:
            InputError: the journal file cannot be written (disk full, read-only, locked).
        """
        try:
            self._db.execute("BEGIN")
            try:
                for key, request, result in results:
                    if isinstance(result, TargetError):
                        self.put_error(key, target, stage, request, result)
                    else:
                        self.put_completion(key, target, stage, request, result)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise InputError(self.path, f"cannot record results ({exc})") from None

    def count(self, *, status: str | None = None) -> int:
        """How many results are stored (optionally only 'ok' or 'error')."""
        if status is None:
            return int(self._db.execute("SELECT count(*) FROM results").fetchone()[0])
        query = "SELECT count(*) FROM results WHERE status = ?"
        return int(self._db.execute(query, (status,)).fetchone()[0])

    def close(self) -> None:
        """Close the database file."""
        self._db.close()
