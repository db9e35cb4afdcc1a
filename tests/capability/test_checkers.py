"""Every checker on right, wrong and malformed answers, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from modelpassport.capability import _instruct as instruct
from modelpassport.capability import _parse as parse
from modelpassport.capability._longctx import long_context_tasks
from modelpassport.capability._math import math_tasks
from modelpassport.capability._options import CapabilityOptions
from modelpassport.capability._suite import build_suite, stratified
from modelpassport.capability._task import Answer, Task
from modelpassport.capability._tools import calls_check, parse_calls, tool_tasks
from modelpassport.capability._translate import translation_tasks
from modelpassport.capability._verticals import date_check, json_check, vertical_tasks

GARBAGE = ["", "I do not know.", "我不知道。", "```\n{not json\n", "\x00\ud800" * 3, "9" * 5000]


def _check(task: Task, text: str) -> bool:
    assert task.check is not None
    return task.check(Answer(text)).passed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Answer: 42", 42.0),
        ("答案：42", 42.0),
        ("答案是１２３", 123.0),  # full-width digits
        ("first 3, then 7. Answer: 1,250.5 apples", 1250.5),
        ("no marker, last is 17", 17.0),
        ("签署了6004件", 6004.0),
        ("Answer: −8", -8.0),
        ("nothing here", None),
    ],
)
def test_final_number_reads_both_languages(text: str, expected: float | None) -> None:
    assert parse.final_number(text) == expected


def test_sentences_split_chinese_and_english() -> None:
    assert len(parse.sentences("今天下雨。我们在家！你呢？")) == 3
    assert len(parse.sentences("It rains. We stay in, e.g. at 3.5 pm. Fine")) == 3
    assert parse.sentences("   ") == []


def test_math_twins_share_the_answer_and_reject_wrong_and_malformed() -> None:
    tasks = math_tasks(seed=5, per_tier=2)
    assert {t.tier for t in tasks} == {"easy", "standard", "hard"}
    for task in tasks:
        assert task.reference is not None
        assert _check(task, task.reference.text)
        right = parse.final_number(task.reference.text)
        assert right is not None
        assert not _check(task, f"Answer: {right + 1:g}")
        assert all(not _check(task, g) for g in GARBAGE)
    hard = next(t for t in tasks if t.tier == "hard" and t.lang == "en")
    assert "neighbour" in hard.prompt  # irrelevant clauses at the hard tier


def test_math_is_reproducible_and_seeded() -> None:
    assert [t.prompt for t in math_tasks(1, 3)] == [t.prompt for t in math_tasks(1, 3)]
    assert [t.prompt for t in math_tasks(1, 3)] != [t.prompt for t in math_tasks(2, 3)]


def _constraint(family: str, seed: int = 0) -> instruct.Constraint:
    makers = {**instruct.PUBLIC, **instruct.HELD_OUT_POOL}
    return makers[family](random.Random(seed))


@pytest.mark.parametrize(
    ("family", "lang", "right", "wrong"),
    [
        ("bullet_count", "en", "- a\n- b\n- c", "- a\n- b"),
        ("sentence_max", "zh", "春天来了。花开了。", "一。二。三。四。"),
        ("sentence_max", "en", "One. Two.", "One. Two. Three. Four."),
        ("script", "en", "all lower case here.", "Some Capitals Here."),
        ("script", "zh", "全部是中文。", "中文 with English"),
        ("quoted", "en", '"wrapped answer"', "not wrapped"),
        ("title", "zh", "<<公园>>\n春天很美。", "公园\n春天很美。"),
        ("paragraph_count", "en", "One.\n\nTwo.", "One paragraph only."),
        ("postscript", "zh", "正文。\nP.S. 附言", "正文。P.S. 不在最后一行\n结束"),
    ],
)
def test_constraint_checkers(family: str, lang: str, right: str, wrong: str) -> None:
    constraint = _constraint(family)
    if family in {"bullet_count", "sentence_max", "paragraph_count"}:
        # Pick a seed whose count fits the fixtures.
        for seed in range(50):
            constraint = _constraint(family, seed)
            if constraint.holds(right, lang):  # type: ignore[arg-type]
                break
    assert constraint.holds(right, lang)  # type: ignore[arg-type]
    assert not constraint.holds(wrong, lang)  # type: ignore[arg-type]
    assert not constraint.holds("", lang)  # type: ignore[arg-type]


def test_word_limits_count_chinese_characters() -> None:
    constraint = _constraint("max_words")
    limit = int(constraint.text["en"].split()[3])
    assert constraint.holds(" ".join(["word"] * limit), "en")
    assert not constraint.holds(" ".join(["word"] * (limit + 1)), "en")
    assert constraint.holds("字" * (limit * 2), "zh")
    assert not constraint.holds("字" * (limit * 2 + 1), "zh")


def test_keywords_and_avoid_in_both_languages() -> None:
    keywords = _constraint("include_keywords", 3)
    words = [w.strip("'") for w in keywords.text["en"].split("'")[1::2]]
    assert keywords.holds(f"A {words[0]} and a {words[1]}.", "en")
    assert not keywords.holds(f"Only {words[0]}.", "en")
    zh = keywords.text["zh"].split("“")[1].split("”")[0], keywords.text["zh"].split("“")[2][:-1]
    assert keywords.holds(f"{zh[0]}和{zh[1].split('”')[0]}", "zh")
    avoid = _constraint("avoid_word", 1)
    banned = avoid.text["en"].split("'")[1]
    assert not avoid.holds(f"It was {banned.upper()} nice.", "en")
    assert avoid.holds("It was nice.", "en")


def test_instruction_items_are_strict_and_held_out_rotates() -> None:
    tasks = instruct.instruction_tasks(0, 4, "capability-v1")
    held = instruct.held_out_families("capability-v1")
    assert len(held) == 2
    assert instruct.held_out_families("capability-v2") != held or True  # rotation is by hash
    held_items = [t for t in tasks if t.origin == "held_out"]
    assert held_items
    assert all(any(f in t.family for f in held) for t in held_items)
    public = [t for t in tasks if t.origin == "generated"]
    assert all(not any(f in t.family for f in held) for t in public)
    hard = next(t for t in tasks if t.tier == "hard")
    assert hard.check is not None
    verdict = hard.check(Answer("x"))
    assert len(verdict.checks) == 3
    assert not verdict.passed
    versions = {instruct.held_out_families(f"capability-v{i}") for i in range(1, 12)}
    assert len(versions) > 1


def test_vertical_references_pass_and_wrong_answers_fail() -> None:
    tasks = vertical_tasks(seed=3, per_template=2)
    assert {t.pack for t in tasks} == {"finance", "health", "law"}
    for task in tasks:
        assert task.reference is not None
        assert _check(task, task.reference.text), task.id
        assert all(not _check(task, g) for g in GARBAGE), task.id


def test_date_and_json_checkers() -> None:
    check = date_check(dt.date(2025, 3, 9))
    assert check(Answer("Answer: 2025-03-09")).passed
    assert check(Answer("答案：2025年3月9日")).passed
    assert not check(Answer("Answer: 2025-03-10")).passed
    assert not check(Answer("Answer: 2025-02-30")).passed
    rows = [{"a": 1}]
    same = json_check(rows, lambda got, want: got == want)
    assert same(Answer('```json\n[{"a": 1}]\n```')).passed
    assert not same(Answer('[{"a": 2}]')).passed
    assert not same(Answer('[{"a": 1')).passed
    assert not same(Answer("[" * 5000 + "]" * 5000)).passed


def test_lab_flag_must_name_exactly_one_choice() -> None:
    lab = next(t for t in vertical_tasks(0, 4) if t.family == "lab_flag" and t.lang == "zh")
    assert lab.reference is not None
    right = lab.reference.text
    zh = {"high": "偏高", "low": "偏低", "normal": "正常"}[right]
    assert _check(lab, zh)
    assert not _check(lab, "high, low or normal")
    assert not _check(lab, "偏高偏低")


def test_translation_checks_each_property() -> None:
    tasks = translation_tasks(seed=0, per_direction=3)
    for task in tasks:
        assert task.reference is not None
        assert task.check is not None
        verdict = task.check(task.reference)
        assert verdict.passed, (task.id, verdict.note)
        assert len(verdict.checks) == 6
        # Echoing the source back is the wrong script and leaves it untranslated.
        source = task.prompt.split("\n\n", 1)[1]
        echoed = task.check(Answer(source))
        assert not echoed.passed
    en_to_zh = next(t for t in tasks if t.lang == "zh")
    assert en_to_zh.reference is not None
    dropped = "".join(ch for ch in en_to_zh.reference.text if not ch.isdigit())
    assert en_to_zh.check is not None
    assert not en_to_zh.check(Answer(dropped)).checks[0]  # number lost


def test_long_context_lengths_and_checks() -> None:
    tasks = long_context_tasks(seed=0, per_length=1, lengths=(256, 1024))
    short = [t for t in tasks if t.length == 256 and t.lang == "en"]
    long = [t for t in tasks if t.length == 1024 and t.lang == "en"]
    assert len(long[0].prompt) > 3 * len(short[0].prompt)
    for task in tasks:
        assert task.reference is not None
        assert _check(task, task.reference.text)
        assert not _check(task, "Answer: 12345 and 54321")


def test_tool_calls_checked_by_schema_and_value() -> None:
    expected = [("get_weather", {"city": "Oslo", "unit": "celsius"})]
    check = calls_check(expected)

    def call(name: str, args: object) -> dict[str, object]:
        return {"type": "function", "function": {"name": name, "arguments": json.dumps(args)}}

    good = check(Answer("", (call("get_weather", {"city": "oslo", "unit": "celsius"}),)))
    assert good.passed
    bad_enum = check(Answer("", (call("get_weather", {"city": "Oslo", "unit": "kelvin"}),)))
    assert bad_enum.checks == (False, False)
    extra = check(Answer("", (call("get_weather", {"city": "Oslo", "unit": "celsius", "x": 1}),)))
    assert not extra.checks[0]
    assert not check(Answer('{"name": "get_weather"}')).passed  # text is not a native call
    malformed = {"type": "function", "function": {"name": "get_weather", "arguments": "{oops"}}
    assert parse_calls([malformed]) is None
    assert not check(Answer("", (malformed,))).passed
    anthropic = {"type": "tool_use", "name": "get_weather", "input": expected[0][1]}
    assert check(Answer("", (anthropic,))).passed
    assert calls_check([])(Answer("The sky scatters blue light.")).passed


def test_parallel_calls_are_order_free() -> None:
    task = next(t for t in tool_tasks(0, 1) if t.family == "parallel" and t.lang == "zh")
    assert task.reference is not None
    assert task.check is not None
    reversed_calls = tuple(reversed(task.reference.tool_calls))
    assert task.check(Answer("", reversed_calls)).passed
    assert not task.check(Answer("", reversed_calls[:1])).passed


def test_sample_keeps_twins_and_covers_every_pack() -> None:
    tasks = build_suite(CapabilityOptions(humaneval=False), seed=0)
    sample = stratified(tasks, 60, seed=0)
    assert 60 <= len(sample.tasks) <= 62
    assert {t.pack for t in sample.tasks} == {t.pack for t in tasks}
    assert "easy" in {t.tier for t in sample.tasks}
    twins = [t.twin for t in sample.tasks if t.twin]
    assert all(twins.count(t) == 2 for t in set(twins))
    assert stratified(tasks, None, 0).tasks == tasks
