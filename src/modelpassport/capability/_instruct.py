"""Instruction-following pack: verifiable constraints checked by our own code, EN and ZH.

Each item asks for a short text on an everyday topic under one to three constraints; each
constraint is one sub-check. A *held-out* pool of constraint families is rotated by suite
version: this version uses two of them, chosen from the version string, and reports them
apart, so a model tuned to the public families shows a gap.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import _parse as parse
from ._task import Answer, Lang, Task, Tier, Verdict, verdict

Test = Callable[[str], bool]


@dataclass(frozen=True)
class Constraint:
    """One verifiable instruction, in both languages, with its checker."""

    family: str
    text: dict[Lang, str]
    test: Test
    zh_test: Test | None = None  # when the Chinese twin asks for something else

    def holds(self, text: str, lang: Lang) -> bool:
        """Whether ``text`` meets this constraint as asked in ``lang``."""
        test = self.zh_test if lang == "zh" and self.zh_test is not None else self.test
        return test(text)


_TOPICS: list[dict[Lang, str]] = [
    {"en": "a city park in spring", "zh": "春天的城市公园"},
    {"en": "why people keep houseplants", "zh": "人们为什么养室内植物"},
    {"en": "a good breakfast before work", "zh": "上班前的一顿好早餐"},
    {"en": "learning to ride a bicycle", "zh": "学骑自行车"},
    {"en": "a rainy afternoon at home", "zh": "在家度过的雨天下午"},
    {"en": "the value of public libraries", "zh": "公共图书馆的价值"},
    {"en": "planning a weekend trip by train", "zh": "计划一次周末火车旅行"},
    {"en": "keeping a small garden", "zh": "打理一个小菜园"},
]
_KEYWORDS: list[dict[Lang, str]] = [
    {"en": "river", "zh": "河流"},
    {"en": "window", "zh": "窗户"},
    {"en": "morning", "zh": "早晨"},
    {"en": "music", "zh": "音乐"},
    {"en": "bridge", "zh": "桥"},
]
_PHRASES: list[dict[Lang, str]] = [
    {"en": "that is all for today", "zh": "今天就说到这里"},
    {"en": "thank you for reading", "zh": "感谢阅读"},
]


def _has(word: str, text: str) -> bool:
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None
    return word in text


def _bullets(text: str) -> int:
    return sum(bool(re.match(r"\s*[-*•]\s+\S", line)) for line in text.splitlines())


def _paragraphs(text: str) -> int:
    return len([p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()])


def _max_words(rng: random.Random) -> Constraint:
    n = rng.choice([30, 50, 80])
    return Constraint(
        "max_words",
        {"en": f"Use at most {n} words.", "zh": f"全文不超过{n * 2}个字。"},
        lambda t: 0 < parse.words(t) <= (n * 2 if parse.cjk_count(t) else n),
    )


def _keywords(rng: random.Random) -> Constraint:
    pair = rng.sample(_KEYWORDS, 2)
    return Constraint(
        "include_keywords",
        {
            "en": f"Include the words '{pair[0]['en']}' and '{pair[1]['en']}'.",
            "zh": f"文中必须出现“{pair[0]['zh']}”和“{pair[1]['zh']}”这两个词。",
        },
        lambda t: all(_has(p["en"], t) or _has(p["zh"], t) for p in pair),
    )


def _avoid(rng: random.Random) -> Constraint:
    word = rng.choice([{"en": "very", "zh": "非常"}, {"en": "good", "zh": "好"}])
    return Constraint(
        "avoid_word",
        {"en": f"Do not use the word '{word['en']}'.", "zh": f"不要使用“{word['zh']}”这个字词。"},
        lambda t: bool(t.strip()) and not _has(word["en"], t) and word["zh"] not in t,
    )


def _bullet_count(rng: random.Random) -> Constraint:
    n = rng.choice([2, 3, 4])
    return Constraint(
        "bullet_count",
        {
            "en": f"Answer with exactly {n} bullet points, each line starting with '- '.",
            "zh": f"正好用{n}个要点回答，每行以“- ”开头。",
        },
        lambda t: _bullets(t) == n,
    )


def _end_phrase(rng: random.Random) -> Constraint:
    phrase = rng.choice(_PHRASES)
    return Constraint(
        "end_phrase",
        {
            "en": f"End your answer with the exact phrase '{phrase['en']}'.",
            "zh": f"回答必须以“{phrase['zh']}”这句话结尾。",
        },
        lambda t: t.rstrip().rstrip("。.!！").endswith((phrase["en"], phrase["zh"])),
    )


def _start_phrase(rng: random.Random) -> Constraint:
    word = rng.choice([{"en": "first", "zh": "首先"}, {"en": "today", "zh": "今天"}])
    return Constraint(
        "start_phrase",
        {
            "en": f"Start your answer with the word '{word['en']}'.",
            "zh": f"回答的第一个词必须是“{word['zh']}”。",
        },
        lambda t: t.lstrip(" \"'“*#").lower().startswith((word["en"], word["zh"])),
    )


def _sentence_max(rng: random.Random) -> Constraint:
    n = rng.choice([2, 3])
    return Constraint(
        "sentence_max",
        {"en": f"Write no more than {n} sentences.", "zh": f"不超过{n}句话。"},
        lambda t: 0 < len(parse.sentences(t)) <= n,
    )


def _script(rng: random.Random) -> Constraint:
    del rng
    return Constraint(
        "script",
        {
            "en": "Write everything in lowercase letters; no capital letters at all.",
            "zh": "只用中文书写，不要出现任何英文字母。",
        },
        lambda t: t == t.lower() and re.search(r"[a-z]", t) is not None,
        lambda t: parse.cjk_count(t) > 0 and re.search(r"[A-Za-z]", t) is None,
    )


def _quoted(rng: random.Random) -> Constraint:
    del rng
    return Constraint(
        "quoted",
        {
            "en": "Wrap your entire answer in double quotation marks.",
            "zh": '把整个回答放在一对英文双引号 " " 里。',
        },
        lambda t: len(t.strip()) > 2 and t.strip()[0] == '"' and t.strip()[-1] == '"',
    )


def _title(rng: random.Random) -> Constraint:
    del rng
    return Constraint(
        "title",
        {
            "en": "Give your answer a title wrapped in double angle brackets, like <<title>>.",
            "zh": "给回答加一个标题，用双尖括号括起来，例如<<标题>>。",
        },
        lambda t: re.search(r"<<[^<>\n]+>>", t) is not None,
    )


def _paragraph_count(rng: random.Random) -> Constraint:
    n = rng.choice([2, 3])
    return Constraint(
        "paragraph_count",
        {
            "en": f"Write exactly {n} paragraphs separated by a blank line.",
            "zh": f"正好写{n}段，段与段之间空一行。",
        },
        lambda t: _paragraphs(t) == n,
    )


def _placeholders(rng: random.Random) -> Constraint:
    n = rng.choice([1, 2])
    return Constraint(
        "placeholders",
        {
            "en": f"Include at least {n} placeholder(s) in square brackets, such as [name].",
            "zh": f"至少包含{n}个方括号占位符，例如[姓名]。",
        },
        lambda t: len(re.findall(r"\[[^\[\]\n]+\]", t)) >= n,
    )


def _postscript(rng: random.Random) -> Constraint:
    del rng
    return Constraint(
        "postscript",
        {
            "en": "Add a final line that starts with 'P.S.'.",
            "zh": "最后加一行以“P.S.”开头的附言。",
        },
        lambda t: bool(t.strip()) and t.strip().splitlines()[-1].lstrip().startswith("P.S."),
    )


def _letter_case_words(rng: random.Random) -> Constraint:
    word = rng.choice(_KEYWORDS)
    n = 2
    return Constraint(
        "keyword_frequency",
        {
            "en": f"Use the word '{word['en']}' at least {n} times.",
            "zh": f"“{word['zh']}”一词至少出现{n}次。",
        },
        lambda t: (
            len(re.findall(rf"\b{re.escape(word['en'])}\b", t, re.IGNORECASE)) >= n
            or t.count(word["zh"]) >= n
        ),
    )


Maker = Callable[[random.Random], Constraint]
PUBLIC: dict[str, Maker] = {
    "max_words": _max_words,
    "include_keywords": _keywords,
    "avoid_word": _avoid,
    "bullet_count": _bullet_count,
    "end_phrase": _end_phrase,
    "start_phrase": _start_phrase,
    "sentence_max": _sentence_max,
    "script": _script,
}
HELD_OUT_POOL: dict[str, Maker] = {
    "quoted": _quoted,
    "title": _title,
    "paragraph_count": _paragraph_count,
    "placeholders": _placeholders,
    "postscript": _postscript,
    "keyword_frequency": _letter_case_words,
}
# Pairs that cannot both hold (one asks for the first or last characters the other fixes).
_CONFLICTS = {
    frozenset(p)
    for p in [
        ("quoted", "start_phrase"),
        ("quoted", "end_phrase"),
        ("quoted", "postscript"),
        ("end_phrase", "postscript"),
        ("bullet_count", "paragraph_count"),
        ("bullet_count", "sentence_max"),
        ("title", "start_phrase"),
        ("title", "quoted"),
        ("max_words", "paragraph_count"),
        ("script", "postscript"),
        ("script", "start_phrase"),
        ("script", "end_phrase"),
        ("script", "include_keywords"),
        ("script", "keyword_frequency"),
        ("script", "avoid_word"),
    ]
}
_COUNT: dict[Tier, int] = {"easy": 1, "standard": 2, "hard": 3}


def held_out_families(suite_version: str) -> tuple[str, ...]:
    """The two held-out families this suite version uses, fixed by the version string."""
    ranked = sorted(
        HELD_OUT_POOL, key=lambda f: hashlib.sha256(f"{suite_version}:{f}".encode()).hexdigest()
    )
    return tuple(sorted(ranked[:2]))


def _pick(rng: random.Random, makers: dict[str, Maker], first: str | None, n: int) -> list[str]:
    chosen = [first] if first else []
    pool = [f for f in makers if f not in chosen]
    rng.shuffle(pool)
    for family in pool:
        if len(chosen) >= n:
            break
        if all(frozenset((family, c)) not in _CONFLICTS for c in chosen):
            chosen.append(family)
    return chosen


def _checker(constraints: list[Constraint], lang: Lang) -> Callable[[Answer], Verdict]:
    def check(answer: Answer) -> Verdict:
        results = [c.holds(answer.text, lang) for c in constraints]
        failed = [c.family for c, ok in zip(constraints, results, strict=True) if not ok]
        return verdict(*results, note=f"failed: {', '.join(failed)}" if failed else "")

    return check


def instruction_tasks(seed: int, per_tier: int, suite_version: str) -> list[Task]:
    """``per_tier`` twin pairs per tier from public families, plus ``per_tier`` pairs led by a
    held-out family."""
    held = held_out_families(suite_version)
    makers = {**PUBLIC, **{f: HELD_OUT_POOL[f] for f in held}}
    plan: list[tuple[Tier, str | None, bool]] = [
        (tier, None, False) for tier in _COUNT for _ in range(per_tier)
    ] + [("standard", held[i % len(held)], True) for i in range(per_tier)]
    rng = random.Random(f"instruction-{seed}-{suite_version}")
    tasks: list[Task] = []
    for i, (tier, lead, is_held) in enumerate(plan):
        public = PUBLIC if not is_held else makers
        families = _pick(rng, public, lead, _COUNT[tier])
        constraints = [makers[f](rng) for f in families]
        topic = rng.choice(_TOPICS)
        prompts: dict[Lang, str] = {
            "en": f"Write about {topic['en']}. " + " ".join(c.text["en"] for c in constraints),
            "zh": f"请写一写{topic['zh']}。" + "".join(c.text["zh"] for c in constraints),
        }
        langs: tuple[Lang, ...] = ("en", "zh")
        for lang in langs:
            tasks.append(
                Task(
                    id=f"instruction-{tier}-{i:03d}-{lang}",
                    pack="instruction",
                    tier=tier,
                    lang=lang,
                    origin="held_out" if is_held else "generated",
                    prompt=prompts[lang],
                    max_tokens=160,
                    check=_checker(constraints, lang),
                    twin=f"instruction-{tier}-{i:03d}",
                    family="+".join(families),
                )
            )
    return tasks
