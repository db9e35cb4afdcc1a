"""Tool-calling pack: our own small set of functions asked through native tool calling.

Categories follow the usual split (simple, multiple, parallel, irrelevance). Each call is
checked twice: its arguments must validate against the tool's JSON Schema (``jsonschema``),
and the calls must match the expected ones by name and argument value, order-free for
parallel calls. Only native tool calls count (``Completion.tool_calls``); a call written as
text in the answer is not a call. The Berkeley Function Calling Leaderboard's package was
not used (it pulls in a large dependency tree); these items are original.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from modelpassport.errors import MissingExtraError

from . import _parse as parse
from ._task import Answer, Checker, Lang, Task, Tier, Verdict, twins, verdict

Call = tuple[str, dict[str, Any]]


def _tool(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": sorted(properties),
                "additionalProperties": False,
            },
        },
    }


TOOLS = {
    "get_weather": _tool(
        "get_weather",
        "Current weather for a city.",
        {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    ),
    "convert_currency": _tool(
        "convert_currency",
        "Convert an amount between currencies (ISO 4217 codes).",
        {
            "amount": {"type": "number"},
            "source": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "target": {"type": "string", "pattern": "^[A-Z]{3}$"},
        },
    ),
    "create_reminder": _tool(
        "create_reminder",
        "Create a reminder on a date.",
        {"text": {"type": "string"}, "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}},
    ),
    "lookup_order": _tool(
        "lookup_order", "Status of an order by its id.", {"order_id": {"type": "string"}}
    ),
}
_CITIES = ["Oslo", "Lima", "Perth", "Quito", "Accra", "Hanoi"]
_CODES = ["EUR", "USD", "JPY", "GBP", "CHF", "CNY"]


def parse_calls(calls: Sequence[Mapping[str, Any]]) -> list[Call] | None:
    """Native tool calls (OpenAI ``function`` or Anthropic ``tool_use``) as (name, args);
    None when any call is malformed (arguments that are not a JSON object)."""
    parsed: list[Call] = []
    for call in calls:
        function = call.get("function") if isinstance(call.get("function"), dict) else None
        name = (function or call).get("name")
        args: Any = function.get("arguments") if function else call.get("input")
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except json.JSONDecodeError:
                return None
        if not isinstance(name, str) or not isinstance(args, dict):
            return None
        parsed.append((name, args))
    return parsed


def _valid(call: Call) -> bool:
    try:
        import jsonschema
    except ImportError:
        raise MissingExtraError("the capability tools pack", "jsonschema", "capability") from None
    tool = TOOLS.get(call[0])
    if tool is None:
        return False
    return bool(jsonschema.Draft202012Validator(tool["function"]["parameters"]).is_valid(call[1]))


def _same_value(got: Any, want: Any) -> bool:
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want.lower()
    if isinstance(want, (int, float)) and not isinstance(got, bool):
        try:
            return parse.close(float(got), float(want))
        except (TypeError, ValueError):
            return False
    return bool(got == want)


def _matches(got: list[Call], want: list[Call]) -> bool:
    if Counter(n for n, _ in got) != Counter(n for n, _ in want):
        return False
    remaining = list(want)
    for name, args in got:
        hit = next(
            (
                w
                for w in remaining
                if w[0] == name
                and set(args) == set(w[1])
                and all(_same_value(args[k], v) for k, v in w[1].items())
            ),
            None,
        )
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def calls_check(expected: list[Call]) -> Checker:
    """Two sub-checks: every call validates against its schema; the calls are the expected."""

    def check(answer: Answer) -> Verdict:
        calls = parse_calls(answer.tool_calls)
        if calls is None:
            return verdict(False, False, note="malformed tool call")
        valid = all(_valid(c) for c in calls)
        ok = _matches(calls, expected)
        note = (
            ""
            if ok and valid
            else f"calls {[c[0] for c in calls]}, expected " + str([c[0] for c in expected])
        )
        return verdict(valid, ok, note=note)

    return check


def _simple(rng: random.Random) -> tuple[dict[Lang, str], list[Call], list[str]]:
    city, unit = rng.choice(_CITIES), rng.choice(["celsius", "fahrenheit"])
    zh_unit = "摄氏度" if unit == "celsius" else "华氏度"
    return (
        {
            "en": f"What is the weather in {city} right now, in {unit}?",
            "zh": f"{city} 现在的天气怎么样？请用{zh_unit}。",
        },
        [("get_weather", {"city": city, "unit": unit})],
        ["get_weather"],
    )


def _multiple(rng: random.Random) -> tuple[dict[Lang, str], list[Call], list[str]]:
    amount, (a, b) = rng.randint(5, 900), rng.sample(_CODES, 2)
    return (
        {"en": f"How much is {amount} {a} in {b}?", "zh": f"{amount} {a} 等于多少 {b}？"},
        [("convert_currency", {"amount": amount, "source": a, "target": b})],
        list(TOOLS),
    )


def _parallel(rng: random.Random) -> tuple[dict[Lang, str], list[Call], list[str]]:
    first, second = rng.sample(_CITIES, 2)
    return (
        {
            "en": f"Get the weather in {first} and in {second}, both in celsius.",
            "zh": f"分别查询 {first} 和 {second} 的天气，都用摄氏度。",
        },
        [("get_weather", {"city": c, "unit": "celsius"}) for c in (first, second)],
        ["get_weather", "lookup_order"],
    )


def _irrelevance(rng: random.Random) -> tuple[dict[Lang, str], list[Call], list[str]]:
    topic = rng.choice(
        [("why the sky is blue", "天空为什么是蓝色的"), ("what a haiku is", "什么是俳句")]
    )
    return (
        {"en": f"Explain briefly {topic[0]}.", "zh": f"请简单解释{topic[1]}。"},
        [],
        ["get_weather", "convert_currency"],
    )


_CATEGORIES = [
    ("simple", "easy", _simple),
    ("multiple", "standard", _multiple),
    ("parallel", "hard", _parallel),
    ("irrelevance", "standard", _irrelevance),
]


def tool_tasks(seed: int, per_category: int) -> list[Task]:
    """``per_category`` twin pairs per category, offered through ``ChatRequest.tools``."""
    tasks: list[Task] = []
    for category, tier, make in _CATEGORIES:
        rng = random.Random(f"tools-{category}-{seed}")
        for i in range(per_category):
            prompts, expected, offered = make(rng)
            check = calls_check(expected)
            right = Answer(
                "",
                tuple(
                    {"type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                    for n, a in expected
                ),
            )
            level: Tier = tier  # type: ignore[assignment]
            tasks += twins(
                f"tools-{category}-{i:03d}",
                "tools",
                level,
                "generated",
                prompts,
                {"en": check, "zh": check},
                max_tokens=96,
                family=category,
                tools=tuple(TOOLS[name] for name in offered),
                references=dict.fromkeys(("en", "zh"), right),
            )
    return tasks
