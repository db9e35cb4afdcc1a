"""The scripted target: the file format, rule order, errors and streaming."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from modelpassport.errors import InputError
from modelpassport.targets import (
    ChatRequest,
    Limits,
    Message,
    PermanentTargetError,
    TargetSpec,
    TransientTargetError,
    open_target,
)

NO_RETRY = Limits(max_retries=0)


def _script(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _ask(text: str, **kwargs: Any) -> ChatRequest:
    messages = (Message(role="system", content="Be brief."), Message(role="user", content=text))
    return ChatRequest(messages=messages, **kwargs)


SCRIPT = {
    "model": "demo-1",
    "rules": [
        {"match": "(?i)capital of france", "answer": "Paris is the capital."},
        {"match": "boom", "error": "permanent", "message": "scripted refusal to serve"},
        {"match": "flaky", "error": "transient"},
        {"match": "capital", "answer": "Some capital."},
        {"match": "line one.*line two", "answer": "multi-line matched"},
    ],
    "default": "I do not know.",
}


async def test_first_matching_rule_wins_and_default_applies(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    first = await target.chat(_ask("What is the CAPITAL of France?"))
    assert first.text == "Paris is the capital."
    assert first.finish_reason == "stop"
    assert first.model_id == "demo-1"
    assert (await target.chat(_ask("capital of Peru?"))).text == "Some capital."
    assert (await target.chat(_ask("nothing matches"))).text == "I do not know."
    assert (await target.chat(_ask("line one\nline two"))).text == "multi-line matched"
    assert target.identity.provider == "scripted"
    assert target.identity.model == "demo-1"


async def test_only_the_last_user_message_is_matched(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    request = ChatRequest(
        messages=(
            Message(role="user", content="capital of France"),
            Message(role="assistant", content="Paris is the capital."),
            Message(role="user", content="and then?"),
        )
    )
    assert (await target.chat(request)).text == "I do not know."


async def test_usage_counts_whitespace_tokens(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    done = await target.chat(_ask("capital of France please"))
    assert done.usage.prompt == 2 + 4
    assert done.usage.completion == 4
    assert done.timing.total_s >= 0


async def test_max_tokens_and_stop_cut_the_answer(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    short = await target.chat(_ask("capital of France", max_tokens=2))
    assert short.text == "Paris is "
    assert short.finish_reason == "length"
    stopped = await target.chat(_ask("capital of France", stop=(" the",)))
    assert stopped.text == "Paris is"
    assert stopped.finish_reason == "stop"


async def test_scripted_errors_are_typed_errors(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    with pytest.raises(PermanentTargetError, match="scripted refusal to serve"):
        await target.chat(_ask("boom"))
    with pytest.raises(TransientTargetError, match="scripted error"):
        await target.chat(_ask("flaky"))


async def test_stream_joins_to_the_whole_answer(tmp_path: Path) -> None:
    target = open_target(TargetSpec("scripted", "x", path=_script(tmp_path, SCRIPT)), NO_RETRY)
    chunks = [chunk async for chunk in target.stream(_ask("capital of France"))]
    assert [c.text for c in chunks] == ["Paris ", "is ", "the ", "capital.", ""]
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion == 4
    assert all(a.at_s <= b.at_s for a, b in itertools.pairwise(chunks))


async def test_changed_script_changes_the_fingerprint(tmp_path: Path) -> None:
    path = _script(tmp_path, SCRIPT)
    before = open_target(TargetSpec("scripted", "x", path=path), NO_RETRY).identity
    path.write_text(json.dumps({**SCRIPT, "default": "Changed."}), encoding="utf-8")
    after = open_target(TargetSpec("scripted", "x", path=path), NO_RETRY).identity
    assert before.model == after.model
    assert before.key() != after.key()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("{not json", "field (top level)"),
        ({"rules": [], "default": "x"}, "field model"),
        (
            {"model": "m", "rules": [{"match": "(", "answer": "a"}], "default": "x"},
            "field rules.0.match",
        ),
        ({"model": "m", "rules": [{"match": "a"}], "default": "x"}, "field rules.0"),
        (
            {
                "model": "m",
                "rules": [{"match": "a", "answer": "b", "error": "transient"}],
                "default": "x",
            },
            "field rules.0",
        ),
        (
            {"model": "m", "rules": [{"match": "a", "error": "sometimes"}], "default": "x"},
            "field rules.0.error",
        ),
        ({"model": "m", "default": "x", "extra": 1}, "field extra"),
        ({"model": "m"}, "field default"),
    ],
)
def test_bad_files_fail_naming_the_field(tmp_path: Path, data: Any, expected: str) -> None:
    path = _script(tmp_path, data)
    with pytest.raises(InputError) as caught:
        open_target(TargetSpec("scripted", "x", path=path), NO_RETRY)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_target(TargetSpec("scripted", "x", path=tmp_path / "absent.json"), NO_RETRY)
