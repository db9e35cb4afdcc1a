"""Vertical packs: finance, health and law tasks from templates, with computed answers.

They ask whether a model handles the routine arithmetic and structured reading of an
industry (VAT, amortisation, dose by weight, lab-range flags, deadlines, clause extraction).
The values are invented; a pass is evidence of arithmetic and reading skill on these
templates, not clinical, legal or financial validation.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import _parse as parse
from ._task import Answer, Checker, Lang, Pack, Task, Tier, Verdict, numeric_check, twins, verdict

Prompts = dict[Lang, str]
Made = tuple[Prompts, Checker, str]  # prompts, checker, a right answer
_NUM: Prompts = {
    "en": "\nGive the final answer on the last line as 'Answer: <number>'.",
    "zh": "\n请在最后一行用“答案：<数字>”的格式给出结果。",
}
_DATE: Prompts = {
    "en": "\nGive the date on the last line as 'Answer: YYYY-MM-DD'.",
    "zh": "\n请在最后一行用“答案：YYYY-MM-DD”的格式给出日期。",
}
_JSON: Prompts = {"en": "\nReply with the JSON only.", "zh": "\n只回复 JSON。"}
_ISO = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")


def _ask(prompts: Prompts, suffix: Prompts) -> Prompts:
    return {lang: text + suffix[lang] for lang, text in prompts.items()}


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


def date_check(expected: dt.date) -> Checker:
    """Passes when the last date written in the answer is ``expected``."""

    def check(answer: Answer) -> Verdict:
        found = _ISO.findall(parse.normalise(answer.text))
        if not found:
            return verdict(False, note="no date in the answer")
        try:
            got = dt.date(*(int(x) for x in found[-1]))
        except ValueError:
            return verdict(False, note="not a valid date")
        ok = got == expected
        return verdict(ok, note="" if ok else f"expected {expected}, got {got}")

    return check


def json_check(expected: Any, same: Callable[[Any, Any], bool]) -> Checker:
    """Passes when the answer's first JSON value matches ``expected`` under ``same``."""

    def check(answer: Answer) -> Verdict:
        value = parse.json_value(answer.text)
        if value is None:
            return verdict(False, note="no JSON in the answer")
        try:
            ok = same(value, expected)
        except (TypeError, ValueError, KeyError, AttributeError):
            ok = False
        return verdict(ok, note="" if ok else "JSON differs from the expected value")

    return check


def word_check(choices: Mapping[str, tuple[str, ...]], expected: str) -> Checker:
    """Passes when the answer names ``expected`` and no other choice."""

    def check(answer: Answer) -> Verdict:
        text = answer.text.lower()
        named = {c for c, spellings in choices.items() if any(s in text for s in spellings)}
        ok = named == {expected}
        return verdict(ok, note="" if ok else f"expected {expected}, named {sorted(named)}")

    return check


def _same_rows(got: Any, want: list[dict[str, Any]]) -> bool:
    if not isinstance(got, list) or len(got) != len(want):
        return False
    for row, target in zip(got, want, strict=True):
        if not isinstance(row, dict) or set(row) != set(target):
            return False
        for key, value in target.items():
            if isinstance(value, str):
                if str(row[key]).strip().lower() != value.lower():
                    return False
            elif not parse.close(float(row[key]), float(value), abs_tol=0.005):
                return False
    return True


def _num(expected: float, *, abs_tol: float = 1e-6) -> tuple[Checker, str]:
    return numeric_check(expected, abs_tol=abs_tol), f"Answer: {round(expected, 6)}"


def _js(expected: Any, same: Callable[[Any, Any], bool]) -> tuple[Checker, str]:
    return json_check(expected, same), json.dumps(expected, ensure_ascii=False)


def _dt(expected: dt.date) -> tuple[Checker, str]:
    return date_check(expected), f"Answer: {expected.isoformat()}"


def _wd(choices: Mapping[str, tuple[str, ...]], expected: str) -> tuple[Checker, str]:
    return word_check(choices, expected), expected


# ---- finance ---------------------------------------------------------------------------
def _percent(rng: random.Random) -> Made:
    p, x = rng.choice([5, 10, 15, 20, 25, 50]), rng.randint(2, 90) * 10
    return {"en": f"What is {p}% of {x}?", "zh": f"{x}的{p}%是多少？"}, *_num(
        x * p / 100, abs_tol=0.005
    )


def _vat(rng: random.Random) -> Made:
    net, rate = rng.randint(100, 9999) / 10, rng.choice([5, 7, 10, 19, 20, 21])
    return {
        "en": f"An invoice has a net amount of {net:.2f} EUR. VAT is charged at {rate}%. "
        "What is the gross amount in EUR, rounded to cents?",
        "zh": f"一张发票的净额为{net:.2f}欧元，增值税税率为{rate}%。含税总额是多少欧元"
        "（保留两位小数）？",
    }, *_num(_money(net * (1 + rate / 100)), abs_tol=0.011)


def _change(rng: random.Random) -> Made:
    a = rng.randint(20, 500) * 10
    b = a + rng.choice([-1, 1]) * rng.randint(1, 40) * a // 100
    return {
        "en": f"Revenue went from {a} to {b}. What is the percentage change, rounded to two "
        "decimals (negative for a fall)?",
        "zh": f"营业收入从{a}变为{b}。变化百分比是多少（保留两位小数，下降为负数）？",
    }, *_num(round((b - a) / a * 100, 2), abs_tol=0.011)


def _annuity(rng: random.Random) -> Made:
    principal = rng.randint(5, 60) * 1000
    rate, years = rng.choice([3, 4, 5, 6, 7]), rng.choice([2, 3, 5, 10])
    i, n = rate / 100 / 12, years * 12
    payment = _money(principal * i / (1 - (1 + i) ** -n))
    return {
        "en": f"A loan of {principal} EUR at {rate}% a year, repaid in equal monthly "
        f"instalments over {years} years (monthly compounding). What is the monthly "
        "payment in EUR, rounded to cents?",
        "zh": f"一笔{principal}欧元的贷款，年利率{rate}%，按月复利，分{years}年等额按月还款。"
        "每月还款额是多少欧元（保留两位小数）？",
    }, *_num(payment, abs_tol=0.011)


def _table(rng: random.Random) -> Made:
    goods = rng.sample(["paper", "toner", "chairs", "cables", "lamps", "desks"], 3)
    rows = [
        {"item": g, "qty": rng.randint(1, 40), "unit_price": rng.randint(100, 9999) / 100}
        for g in goods
    ]
    table = "\n".join(f"| {r['item']} | {r['qty']} | {r['unit_price']:.2f} |" for r in rows)
    return {
        "en": "Convert this table to a JSON list of objects with the keys item, qty and "
        f"unit_price (numbers as numbers):\n| item | qty | unit price |\n{table}",
        "zh": "把下表转换成 JSON 对象列表，键为 item、qty 和 unit_price（数字用数字类型）：\n"
        f"| item | qty | unit price |\n{table}",
    }, *_js(rows, _same_rows)


# ---- health ----------------------------------------------------------------------------
def _mg(rng: random.Random) -> Made:
    mg = rng.randint(1, 99) * 50
    return {"en": f"How many grams are {mg} mg?", "zh": f"{mg}毫克等于多少克？"}, *_num(mg / 1000)


def _dose(rng: random.Random) -> Made:
    per_kg, weight = rng.choice([2, 5, 10, 15, 20]), rng.randint(8, 95)
    return {
        "en": f"A dosing table (fictional) says {per_kg} mg per kg of body weight. The "
        f"patient weighs {weight} kg. What is the total dose in mg?",
        "zh": f"一张（虚构的）剂量表规定每千克体重{per_kg}毫克。患者体重{weight}千克。"
        "总剂量是多少毫克？",
    }, *_num(per_kg * weight)


def _pounds(rng: random.Random) -> Made:
    lb = rng.randint(60, 300)
    return {
        "en": f"Convert {lb} lb to kilograms, rounded to one decimal (1 lb = 0.45359237 kg).",
        "zh": f"把{lb}磅换算成千克，保留一位小数（1磅 = 0.45359237千克）。",
    }, *_num(round(lb * 0.45359237, 1), abs_tol=0.051)


def _infusion(rng: random.Random) -> Made:
    hours = rng.choice([2, 4, 5, 8, 10])
    volume = hours * rng.randint(10, 125)
    return {
        "en": f"{volume} mL are to be infused evenly over {hours} hours. What is the rate "
        "in mL per hour?",
        "zh": f"{volume}毫升液体需在{hours}小时内匀速输完。输液速度是每小时多少毫升？",
    }, *_num(volume / hours)


_FLAGS = {"high": ("high", "偏高"), "low": ("low", "偏低"), "normal": ("normal", "正常")}


def _lab(rng: random.Random) -> Made:
    analytes = [
        ("sodium", "mmol/L", 135, 145),
        ("potassium", "mmol/L", 3.5, 5.1),
        ("glucose", "mmol/L", 3.9, 5.6),
        ("creatinine", "umol/L", 60, 110),
    ]
    rng.shuffle(analytes)
    lines, flags = [], {}
    for name, unit, low, high in analytes:
        kind = rng.choice(["high", "low", "normal"])
        span = high - low
        value = {
            "high": high + span * rng.uniform(0.1, 0.5),
            "low": low - span * rng.uniform(0.1, 0.5),
            "normal": low + span * rng.uniform(0.2, 0.8),
        }[kind]
        lines.append(f"| {name} | {value:.1f} | {unit} | {low}-{high} |")
        flags[name] = kind
    asked = analytes[0][0]
    table = "| test | result | unit | reference range |\n" + "\n".join(lines)
    return {
        "en": f"Fictional lab report:\n{table}\nIs the {asked} result high, low or normal "
        "against its reference range? Answer with one word: high, low or normal.",
        "zh": f"虚构的化验单：\n{table}\n{asked} 的结果相对参考范围是偏高、偏低还是正常？"
        "只用一个词回答：偏高、偏低或正常。",
    }, *_wd(_FLAGS, flags[asked])


# ---- law -------------------------------------------------------------------------------
def _day(rng: random.Random) -> dt.date:
    return dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700))


def _calendar(rng: random.Random) -> Made:
    served, days = _day(rng), rng.choice([7, 10, 14, 21, 30, 60])
    return {
        "en": f"A notice is served on {served.isoformat()}. The reply is due {days} calendar "
        "days after that date. What is the due date?",
        "zh": f"一份通知于{served.isoformat()}送达。答复期限为送达之日起{days}个自然日后。"
        "截止日期是哪一天？",
    }, *_dt(served + dt.timedelta(days=days))


def _business(rng: random.Random) -> Made:
    start, days = _day(rng), rng.choice([3, 5, 10, 15])
    due, left = start, days
    while left:
        due += dt.timedelta(days=1)
        left -= due.weekday() < 5
    return {
        "en": f"A filing is received on {start.isoformat()} ({start:%A}). A response is due "
        f"{days} business days later (Monday to Friday count; no public holidays). What "
        "is the due date?",
        "zh": f"一份文件于{start.isoformat()}收到。需在其后{days}个工作日内答复（周一至周五"
        "计为工作日，不考虑法定节假日）。截止日期是哪一天？",
    }, *_dt(due)


def _same_clause(got: Any, want: dict[str, Any]) -> bool:
    if not isinstance(got, dict):
        return False
    parties = {str(p).strip().lower() for p in got.get("parties", [])}
    return (
        parties == {p.lower() for p in want["parties"]}
        and str(got.get("effective_date", "")).strip() == want["effective_date"]
        and parse.close(float(got.get("notice_days", "nan")), want["notice_days"])
    )


def _clause(rng: random.Random) -> Made:
    a, b = rng.sample(
        [
            "Norden Tools Ltd",
            "Kestrel Foods GmbH",
            "Blue Harbor LLC",
            "Sato Logistics KK",
            "Ribeiro & Filhos Lda",
        ],
        2,
    )
    start, notice = _day(rng), rng.choice([15, 30, 45, 60, 90])
    clause = (
        f"This Supply Agreement is made between {a} (the Supplier) and {b} (the Buyer) and "
        f"takes effect on {start:%d %B %Y}. Either party may end it by giving {notice} days' "
        "written notice."
    )
    want = {"parties": [a, b], "effective_date": start.isoformat(), "notice_days": notice}
    return {
        "en": f"Clause:\n{clause}\nExtract a JSON object with the keys parties (a list of "
        "the two party names), effective_date (YYYY-MM-DD) and notice_days (a number).",
        "zh": f"条款：\n{clause}\n请提取一个 JSON 对象，键为 parties（两个当事方名称的列表）、"
        "effective_date（YYYY-MM-DD）和 notice_days（数字）。",
    }, *_js(want, _same_clause)


Template = tuple[str, Tier, Callable[[random.Random], Made], Prompts | None, int]
TEMPLATES: dict[Pack, list[Template]] = {
    "finance": [
        ("percent", "easy", _percent, _NUM, 128),
        ("vat", "standard", _vat, _NUM, 160),
        ("change", "standard", _change, _NUM, 160),
        ("annuity", "hard", _annuity, _NUM, 200),
        ("table_json", "hard", _table, _JSON, 160),
    ],
    "health": [
        ("mg_to_g", "easy", _mg, _NUM, 128),
        ("dose", "standard", _dose, _NUM, 160),
        ("pounds", "standard", _pounds, _NUM, 160),
        ("infusion", "standard", _infusion, _NUM, 160),
        ("lab_flag", "hard", _lab, None, 48),
    ],
    "law": [
        ("calendar_days", "easy", _calendar, _DATE, 128),
        ("business_days", "standard", _business, _DATE, 160),
        ("clause_json", "hard", _clause, _JSON, 160),
    ],
}


def vertical_tasks(seed: int, per_template: int) -> list[Task]:
    """``per_template`` twin pairs of every template of every vertical."""
    tasks: list[Task] = []
    for pack, templates in TEMPLATES.items():
        for name, tier, make, suffix, max_tokens in templates:
            rng = random.Random(f"{pack}-{name}-{seed}")
            for i in range(per_template):
                prompts, check, right = make(rng)
                tasks += twins(
                    f"{pack}-{name}-{i:03d}",
                    pack,
                    tier,
                    "generated",
                    _ask(prompts, suffix) if suffix else prompts,
                    {"en": check, "zh": check},
                    max_tokens=max_tokens,
                    family=name,
                    references={"en": Answer(right), "zh": Answer(right)},
                )
    return tasks
