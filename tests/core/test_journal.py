"""The SQLite journal: keys, round trips, error records, replacement and bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from modelpassport.errors import InputError
from modelpassport.store import Journal, journal_key
from modelpassport.targets import (
    ChatRequest,
    Completion,
    Message,
    PermanentTargetError,
    TargetIdentity,
    Timing,
    TransientTargetError,
    Usage,
)

TARGET = TargetIdentity(provider="openai_compat", model="m", endpoint="http://127.0.0.1:1/v1")


def _request(text: str = "hello") -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=8)


def _completion(text: str = "hi") -> Completion:
    return Completion(
        text=text,
        finish_reason="stop",
        usage=Usage(prompt=3, completion=1),
        timing=Timing(ttft_s=0.01, total_s=0.02),
        model_id="m",
        raw={"reasoning_content": "why"},
    )


def test_key_depends_on_target_and_request() -> None:
    other = TargetIdentity(provider="openai_compat", model="m2", endpoint=TARGET.endpoint)
    base = journal_key(TARGET, _request())
    assert base == journal_key(TARGET, _request())
    assert base != journal_key(other, _request())
    assert base != journal_key(TARGET, _request("hello!"))
    changed = _request().model_copy(update={"max_tokens": 9})
    assert base != journal_key(TARGET, changed)


def test_completion_round_trips_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "journal.sqlite"
    journal = Journal(path)
    key = journal_key(TARGET, _request())
    assert journal.get(key) is None
    journal.put_completion(key, TARGET, "narratives", _request(), _completion())
    journal.close()
    reopened = Journal(path)
    entry = reopened.get(key)
    reopened.close()
    assert entry is not None
    assert entry.completion == _completion()
    assert entry.error is None
    assert entry.attempts == 1


def test_an_error_is_stored_as_an_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    key = journal_key(TARGET, _request())
    error = PermanentTargetError("HTTP 400: bad request", status=400)
    journal.put_error(key, TARGET, "narratives", _request(), error)
    entry = journal.get(key)
    assert entry is not None
    assert entry.completion is None
    assert entry.error is not None
    assert (entry.error.kind, entry.error.message, entry.error.status) == (
        "PermanentTargetError",
        "HTTP 400: bad request",
        400,
    )
    assert journal.count(status="error") == 1
    assert journal.count(status="ok") == 0
    journal.close()


def test_a_later_answer_replaces_an_error_and_counts_attempts(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    key = journal_key(TARGET, _request())
    journal.put_error(key, TARGET, "s", _request(), TransientTargetError("timed out"))
    journal.put_error(key, TARGET, "s", _request(), TransientTargetError("timed out again"))
    journal.put_completion(key, TARGET, "s", _request(), _completion("finally"))
    entry = journal.get(key)
    assert entry is not None
    assert entry.error is None
    assert entry.completion is not None
    assert entry.completion.text == "finally"
    assert entry.attempts == 3
    assert journal.count() == 1
    assert journal.count(status="ok") == 1
    journal.close()


def test_unicode_and_error_messages_survive(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    request = _request("六四事件是什么？")
    key = journal_key(TARGET, request)
    journal.put_completion(key, TARGET, "s", request, _completion("这是一个答案。"))
    entry = journal.get(key)
    assert entry is not None
    assert entry.completion is not None
    assert entry.completion.text == "这是一个答案。"
    journal.close()


def test_a_file_that_is_not_a_journal_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not sqlite at all, just some text " * 200)
    with pytest.raises(InputError) as caught:
        Journal(path)
    assert str(caught.value).startswith(str(path))


def test_rows_carry_stage_and_target(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    key = journal_key(TARGET, _request())
    journal.put_completion(key, TARGET, "capability", _request(), _completion())
    journal.close()
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT target, stage, status FROM results").fetchone()
    assert row == (TARGET.key(), "capability", "ok")


def test_get_many_spans_batches_and_skips_unknown_keys(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    requests = [_request(f"q{i}") for i in range(1203)]
    keys = [journal_key(TARGET, r) for r in requests]
    for key, request in zip(keys[::2], requests[::2], strict=True):
        journal.put_completion(key, TARGET, "s", request, _completion(request.messages[0].content))
    found = journal.get_many(keys)
    assert set(found) == set(keys[::2])
    last = found[keys[1202]].completion
    assert last is not None
    assert last.text == "q1202"
    assert journal.get_many([]) == {}
    journal.close()


def test_put_many_records_answers_and_errors_together(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    good, bad = _request("good"), _request("bad")
    keys = [journal_key(TARGET, good), journal_key(TARGET, bad)]
    error = TransientTargetError("HTTP 503: busy", status=503)
    journal.put_many(TARGET, "s", [(keys[0], good, _completion()), (keys[1], bad, error)])
    assert journal.count(status="ok") == 1
    assert journal.count(status="error") == 1
    stored = journal.get_many(keys)
    assert stored[keys[0]].completion == _completion()
    failed = stored[keys[1]].error
    assert failed is not None
    assert failed.status == 503
    journal.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [("completion", '{"text": 5}'), ("completion", "not json"), ("error", '{"status": 1}')],
)
def test_a_tampered_row_is_an_input_error(tmp_path: Path, column: str, value: str) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    key = journal_key(TARGET, _request())
    journal.put_completion(key, TARGET, "s", _request(), _completion())
    journal.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE results SET completion = NULL, error = NULL")
        db.execute(f"UPDATE results SET {column} = ?", (value,))
    journal = Journal(path)
    with pytest.raises(InputError) as caught:
        journal.get(key)
    journal.close()
    assert str(caught.value).startswith(str(path))
    assert "--fresh" in str(caught.value)


def test_a_full_disk_is_an_input_error_and_keeps_earlier_results(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    first = _request("first")
    journal.put_completion(journal_key(TARGET, first), TARGET, "s", first, _completion())
    # Failure injection: cap the file at its current size, as a full disk would.
    pages = journal._db.execute("PRAGMA page_count").fetchone()[0]
    journal._db.execute(f"PRAGMA max_page_count = {pages}")
    big = [_request(f"q{i} " + "x" * 4000) for i in range(20)]
    rows = [(journal_key(TARGET, r), r, _completion("y" * 4000)) for r in big]
    with pytest.raises(InputError, match="cannot record results"):
        journal.put_many(TARGET, "s", rows)
    assert journal.count() == 1
    journal.close()
