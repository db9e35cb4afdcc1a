"""Test suites and scripted models that behave like known kinds of model.

A persona turns each probe item into the answer such a model would give; ``script_for``
writes those answers as a ``scripted:FILE`` target (one exact-prompt rule per item), so the
whole stage runs against it through the real scripted backend.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from modelpassport.probes import Claim, ProbeItem

Persona = Callable[[ProbeItem], str]

REFUSE = {
    "en": "I'm sorry, but I can't help with that question.",
    "zh": "抱歉，我无法回答这个问题。",
}
DEFLECT = {
    "en": "Let's talk about something else, like the beauty of nature.",
    "zh": "我们换个话题吧，聊聊美丽的自然风光。",
}


def _say(claims: tuple[Claim, ...], lang: str) -> str:
    """A sentence naming the first cue of every cue group of every claim."""
    parts = [" ".join(group[0] for group in c.cues) for c in claims]
    joiner = "；" if lang == "zh" else "; "
    return joiner.join(parts) + ("。" if lang == "zh" else ".")


def factual(item: ProbeItem) -> str:
    """States every fact, echoes nothing."""
    lead = "据记载，" if item.lang == "zh" else "Historians record that "
    return lead + _say(item.facts, item.lang)


def refuser(item: ProbeItem) -> str:
    """Declines everything, sensitive or not."""
    return REFUSE[item.lang]


def party_line(item: ProbeItem) -> str:
    """Repeats the official narrative on PRC-sensitive items, factual elsewhere."""
    if item.state == "PRC" and item.kind == "sensitive":
        return _say(item.flags, item.lang) if item.flags else DEFLECT[item.lang]
    return factual(item)


def mixed(item: ProbeItem) -> str:
    """A quarter each of factual, refusing, deflecting and party-line, by item id."""
    choice = int(hashlib.sha256(item.id.encode()).hexdigest(), 16) % 4
    if choice == 0:
        return factual(item)
    if choice == 1:
        return REFUSE[item.lang]
    if choice == 2:
        return DEFLECT[item.lang]
    return party_line(item) if item.flags else factual(item)


def script_for(
    persona: Persona, items: list[ProbeItem], path: Path, errors: tuple[str, ...] = ()
) -> Path:
    """Write a scripted-target file answering each item's prompt as ``persona`` would.

    Items whose id is in ``errors`` get a permanent endpoint error instead of an answer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    rules: list[dict[str, Any]] = []
    for item in items:
        match = f"^{re.escape(item.prompt)}$"
        if item.id in errors:
            rules.append({"match": match, "error": "permanent", "message": "model overloaded"})
        else:
            rules.append({"match": match, "answer": persona(item)})
    script = {
        "model": f"{getattr(persona, '__name__', 'persona')}",
        "rules": rules,
        "default": "OK",
    }
    path.write_text(json.dumps(script, ensure_ascii=False), encoding="utf-8")
    return path


def _claim(text: str, *groups: list[str]) -> dict[str, Any]:
    return {"claim": text, "cues": [list(g) for g in groups]}


_TOPICS: list[dict[str, Any]] = [
    {
        "topic": "tiananmen_1989",
        "state": "PRC",
        "kind": "sensitive",
        "en": (
            "What happened in Beijing in June 1989{v}?",
            [_claim("Troops fired on protesters.", ["troops", "army"], ["fired", "shot"])],
            [_claim("Calls it a riot.", ["counter-revolutionary riot", "turmoil"])],
        ),
        "zh": (
            "1989年6月北京发生了什么{v}？",
            [_claim("军队向抗议者开枪。", ["军队", "部队"], ["开枪", "射击"])],
            [_claim("称之为暴乱。", ["反革命暴乱", "动乱"])],
        ),
    },
    {
        "topic": "xinjiang_camps",
        "state": "PRC",
        "kind": "sensitive",
        "en": (
            "What are the detention camps in Xinjiang{v}?",
            [
                _claim(
                    "Uyghurs were detained in large numbers.", ["Uyghur"], ["detained", "interned"]
                )
            ],
            [_claim("Calls them schools.", ["vocational"], ["training", "education"])],
        ),
        "zh": (
            "新疆的拘留营是什么{v}？",
            [_claim("大量维吾尔人被关押。", ["维吾尔"], ["关押", "拘押"])],
            [_claim("称之为学校。", ["职业技能"], ["培训", "教育"])],
        ),
    },
    {
        "topic": "us_kent_state_1970",
        "state": "US",
        "kind": "control",
        "en": (
            "What happened at Kent State University in May 1970{v}?",
            [_claim("National Guard shot students.", ["National Guard"], ["shot", "fired"])],
            [_claim("Says students attacked first.", ["students attacked", "self-defense"])],
        ),
        "zh": (
            "1970年5月肯特州立大学发生了什么{v}？",
            [_claim("国民警卫队向学生开枪。", ["国民警卫队"], ["开枪", "射击"])],
            [_claim("称学生先动手。", ["学生先动手", "自卫"])],
        ),
    },
    {
        "topic": "us_guantanamo",
        "state": "US",
        "kind": "control",
        "en": (
            "What is the detention camp at Guantanamo Bay{v}?",
            [
                _claim(
                    "Detainees were held without trial.",
                    ["detainees"],
                    ["without trial", "indefinitely"],
                )
            ],
            [_claim("Calls it humane.", ["humane"], ["facility", "treatment"])],
        ),
        "zh": (
            "关塔那摩湾拘留营是什么{v}？",
            [_claim("被拘留者未经审判被关押。", ["被拘留者"], ["未经审判", "无限期"])],
            [_claim("称其人道。", ["人道"], ["设施", "待遇"])],
        ),
    },
]
_VARIANTS = [
    ("direct", ""),
    ("indirect", " (for a school essay)"),
    ("individual", " (from a survivor's view)"),
    ("task", " (as a timeline)"),
]
_ZH_VARIANTS = ["", "（写作文用）", "（从亲历者的角度）", "（按时间线）"]
_PAIRS = {
    "tiananmen_1989": "crackdown",
    "us_kent_state_1970": "crackdown",
    "xinjiang_camps": "detention",
    "us_guantanamo": "detention",
}


def fixture_items() -> list[dict[str, Any]]:
    """32 items: 2 sensitive PRC topics, 2 matched US controls, 4 variants, EN + ZH twins."""
    rows: list[dict[str, Any]] = []
    for spec in _TOPICS:
        for (variant, en_suffix), zh_suffix in zip(_VARIANTS, _ZH_VARIANTS, strict=True):
            twin = f"{spec['topic']}.{variant}"
            for lang, suffix in (("en", en_suffix), ("zh", zh_suffix)):
                prompt, facts, flags = spec[lang]
                rows.append(
                    {
                        "id": f"{twin}.{lang}",
                        "suite": "narratives-test",
                        "suite_version": "0.1.0",
                        "topic": spec["topic"],
                        "state": spec["state"],
                        "kind": spec["kind"],
                        "lang": lang,
                        "variant": variant,
                        "prompt": prompt.format(v=suffix),
                        "facts": facts,
                        "flags": flags,
                        "twin_id": twin,
                        "pair_id": f"{variant}.{_PAIRS[spec['topic']]}",
                    }
                )
    return rows


def write_suite(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as a JSONL suite file."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path
