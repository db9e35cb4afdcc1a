"""Long-context pack: multi-key retrieval and variable tracking at growing prompt lengths.

Filler text is generated from small word lists (seeded), so no document can have been seen
before. Lengths are approximate tokens (about four characters per token in English, one
per character in Chinese); the effective context is the longest tested length whose
accuracy clears the threshold, with every shorter length clearing it too.
"""

from __future__ import annotations

import random

from ._parse import final_number
from ._task import Answer, Checker, Lang, Task, Tier, Verdict, twins, verdict

LANGS: tuple[Lang, ...] = ("en", "zh")

_EN_WORDS = {
    "adj": ["quiet", "narrow", "old", "bright", "wooden", "distant", "busy", "green"],
    "noun": ["cart", "lantern", "ferry", "orchard", "market", "tower", "canal", "mill"],
    "verb": ["stood", "waited", "rested", "turned", "appeared", "remained"],
    "place": ["harbour", "square", "station", "hill", "bridge", "gate"],
}
_ZH_WORDS = {
    "adj": ["安静的", "狭窄的", "古老的", "明亮的", "木制的", "遥远的", "热闹的", "绿色的"],
    "noun": ["马车", "灯笼", "渡船", "果园", "集市", "塔楼", "运河", "磨坊"],
    "verb": ["停着", "等着", "歇着", "转着", "出现了", "留着"],
    "place": ["港口", "广场", "车站", "山坡", "桥头", "城门"],
}
_CHARS_PER_TOKEN: dict[Lang, float] = {"en": 4.0, "zh": 1.0}
_KEYS = ["amber", "cobalt", "delta", "falcon", "garnet", "harbor", "indigo", "juniper"]


def _filler(rng: random.Random, lang: Lang) -> str:
    if lang == "en":
        w = {k: rng.choice(v) for k, v in _EN_WORDS.items()}
        return f"The {w['adj']} {w['noun']} {w['verb']} near the {w['place']}. "
    z = {k: rng.choice(v) for k, v in _ZH_WORDS.items()}
    return f"{z['adj']}{z['noun']}在{z['place']}附近{z['verb']}。"


def _haystack(seed: str, lang: Lang, tokens: int, needles: list[str]) -> str:
    """Filler of about ``tokens`` tokens with ``needles`` spread evenly through it."""
    rng = random.Random(seed)
    budget = int(tokens * _CHARS_PER_TOKEN[lang])
    pieces: list[str] = []
    while sum(map(len, pieces)) < budget:
        pieces.append(_filler(rng, lang))
    for i, needle in enumerate(needles):
        pieces.insert((i + 1) * len(pieces) // (len(needles) + 1), needle + " ")
    return "".join(pieces)


def _retrieval(rng: random.Random, base: str, tokens: int) -> tuple[dict[Lang, str], list[str]]:
    keys = rng.sample(_KEYS, 4)
    values = [str(rng.randint(10000, 99999)) for _ in keys]
    asked = rng.sample(range(4), 2)
    prompts: dict[Lang, str] = {}
    for lang in LANGS:
        needles = [
            f"The access code for {k} is {v}." if lang == "en" else f"{k}的访问码是{v}。"
            for k, v in zip(keys, values, strict=True)
        ]
        text = _haystack(f"{base}-{lang}", lang, tokens, needles)
        a, b = keys[asked[0]], keys[asked[1]]
        question = (
            f"\n\nWhat are the access codes for {a} and {b}? Reply with the two codes."
            if lang == "en"
            else f"\n\n{a}和{b}的访问码分别是多少？请回复这两个访问码。"
        )
        prompts[lang] = text + question
    return prompts, [values[asked[0]], values[asked[1]]]


def _tracking(rng: random.Random, base: str, tokens: int) -> tuple[dict[Lang, str], int]:
    names = ["".join(rng.choice("QRSTVWXZ") for _ in range(3)) for _ in range(4)]
    while len(set(names)) < 4:
        names = ["".join(rng.choice("QRSTVWXZ") for _ in range(3)) for _ in range(4)]
    value = rng.randint(10000, 99999)
    steps = [f"VAR {names[0]} = {value}."] + [f"VAR {names[i + 1]} = {names[i]}." for i in range(3)]
    prompts: dict[Lang, str] = {}
    for lang in LANGS:
        text = _haystack(f"{base}-{lang}", lang, tokens, steps)
        question = (
            f"\n\nFollow the VAR assignments above. What number does {names[3]} hold? "
            "Give the final answer on the last line as 'Answer: <number>'."
            if lang == "en"
            else f"\n\n根据上文的 VAR 赋值，{names[3]} 的值是多少？"
            "请在最后一行用“答案：<数字>”给出。"
        )
        prompts[lang] = text + question
    return prompts, value


def _contains(values: list[str]) -> Checker:
    def check(answer: Answer) -> Verdict:
        found = [v in answer.text for v in values]
        return verdict(*found, note="" if all(found) else "a code is missing")

    return check


def _equals(value: int) -> Checker:
    def check(answer: Answer) -> Verdict:
        got = final_number(answer.text)
        ok = got is not None and int(got) == value and got == int(got)
        return verdict(ok, note="" if ok else f"expected {value}, got {got}")

    return check


def long_context_tasks(seed: int, per_length: int, lengths: tuple[int, ...]) -> list[Task]:
    """``per_length`` retrieval and ``per_length`` tracking twin pairs at every length."""
    tasks: list[Task] = []
    for rank, tokens in enumerate(lengths):
        tier: Tier = "easy" if rank == 0 else "standard" if rank < len(lengths) - 1 else "hard"
        for i in range(per_length):
            base = f"long_context-{tokens}-kv-{i:03d}"
            rng = random.Random(f"{base}-{seed}")
            prompts, values = _retrieval(rng, base, tokens)
            check = _contains(values)
            tasks += twins(
                base,
                "long_context",
                tier,
                "generated",
                prompts,
                {"en": check, "zh": check},
                max_tokens=48,
                references={"en": Answer(" and ".join(values)), "zh": Answer("、".join(values))},
                family="retrieval",
                length=tokens,
            )
            base = f"long_context-{tokens}-vt-{i:03d}"
            rng = random.Random(f"{base}-{seed}")
            prompts, value = _tracking(rng, base, tokens)
            check = _equals(value)
            tasks += twins(
                base,
                "long_context",
                tier,
                "generated",
                prompts,
                {"en": check, "zh": check},
                max_tokens=96,
                references={"en": Answer(f"Answer: {value}"), "zh": Answer(f"答案：{value}")},
                family="tracking",
                length=tokens,
            )
    return tasks
