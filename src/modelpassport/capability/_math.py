"""Math pack: generated GSM-style word problems, EN/ZH twins, with exact integer answers.

Knobs per tier: the number of steps, the size of the numbers, and irrelevant clauses that
carry numbers of their own (a model that adds every number it sees fails them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._task import Answer, Lang, Task, Tier, numeric_check, twins


@dataclass(frozen=True)
class Knobs:
    """How hard one tier's problems are."""

    steps: tuple[int, int]
    digits: int
    distractors: int


KNOBS: dict[Tier, Knobs] = {
    "easy": Knobs(steps=(1, 1), digits=1, distractors=0),
    "standard": Knobs(steps=(2, 3), digits=2, distractors=1),
    "hard": Knobs(steps=(4, 5), digits=3, distractors=2),
}
_NAMES = [("Mia", "小美"), ("Leo", "小乐"), ("Ana", "安娜"), ("Sam", "小山"), ("Ivy", "小艾")]
_ITEMS = [("apples", "个苹果"), ("stamps", "张邮票"), ("marbles", "颗弹珠"), ("books", "本书")]
_ASK = {
    "en": "\nGive the final answer on the last line as 'Answer: <number>'.",
    "zh": "\n请在最后一行用“答案：<数字>”的格式给出结果。",
}


def _small(rng: random.Random, digits: int) -> int:
    return rng.randint(2, 10**digits - 1) if digits > 1 else rng.randint(2, 9)


def _problem(rng: random.Random, knobs: Knobs) -> tuple[dict[Lang, str], int]:
    (en_name, zh_name), (en_item, zh_item) = rng.choice(_NAMES), rng.choice(_ITEMS)
    unit = zh_item[0]
    noun = zh_item[1:]
    value = _small(rng, knobs.digits) + 5
    en = [f"{en_name} has {value} {en_item}."]
    zh = [f"{zh_name}有{value}{zh_item}。"]
    # The easy tier adds or takes away once; harder tiers mix in groups, halving, doubling.
    ops = ["add", "sub"] if knobs.steps[1] == 1 else ["add", "sub", "groups", "split", "double"]
    for _ in range(rng.randint(*knobs.steps)):
        op = rng.choice(ops)
        if op == "sub" and value > 3:
            a = rng.randint(1, value - 1)
            value -= a
            en.append(f"{en_name} gives {a} {en_item} to a friend.")
            zh.append(f"{zh_name}送给朋友{a}{unit}{noun}。")
        elif op == "groups":
            b, c = rng.randint(2, 4), _small(rng, max(1, knobs.digits - 1))
            value += b * c
            en.append(f"Then {en_name} buys {b} bags with {c} {en_item} in each bag.")
            zh.append(f"然后{zh_name}又买了{b}袋，每袋{c}{unit}{noun}。")
        elif op == "split" and any(value % k == 0 for k in (2, 3, 4, 5)):
            k = next(k for k in (2, 3, 4, 5) if value % k == 0)
            value //= k
            en.append(
                f"{en_name} shares the {en_item} equally among {k} people, {en_name} "
                "included, and keeps one share."
            )
            zh.append(f"{zh_name}把{noun}平均分给包括自己在内的{k}个人，自己留下一份。")
        elif op == "double":
            value *= 2
            en.append(f"Then the number of {en_item} {en_name} has doubles.")
            zh.append(f"接着{zh_name}的{noun}数量翻了一倍。")
        else:
            a = _small(rng, knobs.digits)
            value += a
            en.append(f"{en_name} then gets {a} more {en_item}.")
            zh.append(f"之后{zh_name}又得到{a}{unit}{noun}。")
    for _ in range(knobs.distractors):
        x = _small(rng, knobs.digits)
        position = rng.randint(1, len(en))
        en.insert(position, f"A neighbour owns {x} bicycles.")
        zh.insert(position, f"邻居家有{x}辆自行车。")
    en.append(f"How many {en_item} does {en_name} have now?")
    zh.append(f"{zh_name}现在有多少{unit}{noun}？")
    return {"en": " ".join(en) + _ASK["en"], "zh": "".join(zh) + _ASK["zh"]}, value


def math_tasks(seed: int, per_tier: int) -> list[Task]:
    """``per_tier`` twin pairs per tier, reproducible from ``seed``."""
    tasks: list[Task] = []
    for tier, knobs in KNOBS.items():
        rng = random.Random(f"math-{seed}-{tier}")
        for i in range(per_tier):
            prompts, answer = _problem(rng, knobs)
            check = numeric_check(answer)
            tasks += twins(
                f"math-{tier}-{i:03d}",
                "math",
                tier,
                "generated",
                prompts,
                {"en": check, "zh": check},
                max_tokens=128 if tier == "easy" else 200,
                family=f"steps{knobs.steps[1]}-d{knobs.digits}-x{knobs.distractors}",
                references={"en": Answer(f"Answer: {answer}"), "zh": Answer(f"答案：{answer}")},
            )
    return tasks
