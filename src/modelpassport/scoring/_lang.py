"""Which language an answer is written in, from its script.

The suite asks in English and Simplified Chinese, so the question is only which of the two
scripts carries the answer: Han characters against Latin letters. A Chinese character
carries about as much as a short English word, so letters are weighed by a factor before
the shares are compared. An answer in the other language than the prompt's is itself a
finding (a model that answers Chinese questions in English, or the reverse), recorded per
item and counted in the section.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerLang = Literal["en", "zh", "mixed"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Latin letters per Han character of comparable content (an English word is ~5 letters,
# a Chinese word ~1.5 characters).
_LETTERS_PER_HAN = 3.0
_DOMINANT = 0.7


def answer_language(text: str) -> AnswerLang | None:
    """``en`` or ``zh`` when one script carries at least 70% of the weighted content,
    ``mixed`` otherwise, None when the text has neither script (empty, digits only)."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text)) / _LETTERS_PER_HAN
    if han + latin == 0:
        return None
    share = han / (han + latin)
    if share >= _DOMINANT:
        return "zh"
    if share <= 1 - _DOMINANT:
        return "en"
    return "mixed"


def wrong_language(prompt_lang: str, answer_lang: str | None) -> bool | None:
    """True when the answer is wholly in the suite's other language; None when the answer has
    no script to judge. A mixed answer is not counted as wrong."""
    if answer_lang is None:
        return None
    return answer_lang not in (prompt_lang, "mixed")
