"""EN<->ZH translation fidelity: numbers, dates, names and glossary terms kept, the right
script, nothing left untranslated. Each of the six properties is one sub-check.

Sources are generated from templates (names stay in Latin letters, as the prompt asks), so
every property has one right answer that code can check without judging style.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from . import _parse as parse
from ._task import Answer, Checker, Lang, Task, Verdict, verdict

_GLOSSARY = [
    ("purchase order", "采购订单"),
    ("service level agreement", "服务水平协议"),
    ("invoice", "发票"),
    ("warranty", "保修条款"),
    ("shipping manifest", "装运清单"),
]
_NAMES = ["Olsen", "Moreau", "Okafor", "Lindqvist", "Haddad", "Novak"]
_CITIES = [("Lisbon", "里斯本"), ("Vienna", "维也纳"), ("Nairobi", "内罗毕"), ("Osaka", "大阪")]
_MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
_EN_DATE = re.compile(
    r"(?:("
    + "|".join(_MONTHS)
    + r")\s+(\d{1,2}),?\s+(\d{4}))|(?:(\d{1,2})\s+("
    + "|".join(_MONTHS)
    + r")\s+(\d{4}))|(?:(\d{4})-(\d{2})-(\d{2}))",
    re.IGNORECASE,
)
_ZH_DATE = re.compile(r"(\d{4})\s*[年-]\s*(\d{1,2})\s*[月-]\s*(\d{1,2})")


def _dates_en(text: str) -> set[dt.date]:
    found: set[dt.date] = set()
    months = {m.lower(): i + 1 for i, m in enumerate(_MONTHS)}
    for g in _EN_DATE.findall(text):
        try:
            if g[0]:
                found.add(dt.date(int(g[2]), months[g[0].lower()], int(g[1])))
            elif g[4]:
                found.add(dt.date(int(g[5]), months[g[4].lower()], int(g[3])))
            else:
                found.add(dt.date(int(g[6]), int(g[7]), int(g[8])))
        except ValueError:
            continue
    return found


def _dates_zh(text: str) -> set[dt.date]:
    found: set[dt.date] = set()
    for y, m, d in _ZH_DATE.findall(text):
        try:
            found.add(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return found


_PROPERTIES = ("number", "date", "name", "glossary", "script", "untranslated")


def _checker(into: Lang, amount: int, date: dt.date, name: str, term: str, city: str) -> Checker:
    def check(answer: Answer) -> Verdict:
        text = parse.normalise(answer.text)
        letters = sum(ch.isalpha() for ch in text)
        cjk = parse.cjk_count(text)
        if into == "zh":
            allowed = {name.lower()}
            left = [w for w in parse.latin_words(text) if w.lower() not in allowed]
            results = (
                amount in {int(n) for n in parse.numbers(text) if n == int(n)},
                date in _dates_zh(text),
                name in text,
                term in text,
                letters > 0 and cjk >= 0.6 * letters,
                not left,
            )
        else:
            results = (
                amount in {int(n) for n in parse.numbers(text) if n == int(n)},
                date in _dates_en(text),
                name in text,
                term.lower() in text.lower(),
                letters > 0 and cjk == 0,
                cjk == 0 and city.lower() in text.lower(),
            )
        failed = [p for p, ok in zip(_PROPERTIES, results, strict=True) if not ok]
        return verdict(*results, note=f"failed: {', '.join(failed)}" if failed else "")

    return check


def translation_tasks(seed: int, per_direction: int) -> list[Task]:
    """``per_direction`` pairs: each source sentence asked EN->ZH and its twin ZH->EN."""
    rng = random.Random(f"translation-{seed}")
    tasks: list[Task] = []
    for i in range(per_direction):
        en_term, zh_term = rng.choice(_GLOSSARY)
        name, (en_city, zh_city) = rng.choice(_NAMES), rng.choice(_CITIES)
        amount = rng.randint(12, 9800)
        date = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        en = (
            f"On {date:%B} {date.day}, {date.year}, Ms {name} signed the {en_term} for "
            f"{amount} units at the {en_city} office."
        )
        zh = (
            f"{date.year}年{date.month}月{date.day}日，{name}女士在{zh_city}办事处签署了"
            f"{amount}件的{zh_term}。"
        )
        base = f"translation-{i:03d}"
        asks: dict[Lang, str] = {
            "zh": "Translate the text into Chinese. Keep personal names in Latin letters. "
            f"Glossary: {en_term} = {zh_term}. Reply with the translation only.\n\n{en}",
            "en": "请把下面的文字翻译成英文。人名保留拉丁字母。术语表："
            f"{zh_term} = {en_term}。只回复译文。\n\n{zh}",
        }
        for into, prompt in asks.items():
            tasks.append(
                Task(
                    id=f"{base}-{into}",
                    pack="translation",
                    tier="standard",
                    lang=into,
                    origin="generated",
                    prompt=prompt,
                    max_tokens=128,
                    check=_checker(
                        into, amount, date, name, zh_term if into == "zh" else en_term, en_city
                    ),
                    twin=base,
                    family="en_to_zh" if into == "zh" else "zh_to_en",
                    reference=Answer(zh if into == "zh" else en),
                )
            )
    return tasks
