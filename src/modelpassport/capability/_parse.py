"""Reading untrusted answers: numbers, JSON, code blocks, sentences, scripts.

Every reader is total: malformed input gives None or an empty list, never an exception, so a
garbled answer is a failed check and never a crashed stage.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# Digits may touch Chinese characters ("签署了6004件"), so only ASCII letters block a match.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])-?\d+(?:,\d{3})*(?:\.\d+)?|(?<![A-Za-z0-9_.])-?\.\d+")
# "Answer: 42", "答案：42", "答案是 42" (an explicit final marker wins over stray numbers).
_MARKER = re.compile(r"(?:answer|答案|结果)\s*(?:is|是|为)?\s*[:：=]?\s*", re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
# A sentence ends after 。！？!? or after a full stop followed by a space and a capital,
# digit, quote or Chinese character (so "e.g. at" and "3.5" do not split).
_SENTENCE_END = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)\s+(?=[A-Z0-9\"“'(\u4e00-\u9fff])")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_MAX_JSON = 200_000


def normalise(text: str) -> str:
    """NFKC (full-width digits and punctuation become ASCII) with Unicode minus as '-'."""
    return unicodedata.normalize("NFKC", text).replace("−", "-")


def numbers(text: str) -> list[float]:
    """Every number written in ``text``, in order (thousands separators allowed)."""
    found: list[float] = []
    for match in _NUMBER.finditer(normalise(text)):
        try:
            found.append(float(match.group().replace(",", "")))
        except ValueError:
            continue
    return found


def final_number(text: str) -> float | None:
    """The answer's number: the first after the last "Answer:"/"答案" marker, else the last."""
    text = normalise(text)
    markers = list(_MARKER.finditer(text))
    if markers:
        after = numbers(text[markers[-1].end() :])
        if after:
            return after[0]
    found = numbers(text)
    return found[-1] if found else None


def close(value: float | None, expected: float, *, abs_tol: float = 1e-6) -> bool:
    """``value`` equals ``expected`` within ``abs_tol`` (or one part in a million)."""
    if value is None:
        return False
    return abs(value - expected) <= max(abs_tol, abs(expected) * 1e-6)


def json_value(text: str) -> Any | None:
    """The first JSON object or array in ``text`` (a fenced block first), else None."""
    if len(text) > _MAX_JSON:
        return None
    candidates = [body for _, body in _FENCE.findall(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for start, char in enumerate(candidate):
            if char not in "[{":
                continue
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except (json.JSONDecodeError, RecursionError):
                continue
            return value
    return None


def code_blocks(text: str) -> list[str]:
    """Fenced code blocks, Python ones first; the whole text when there is no fence."""
    blocks = _FENCE.findall(text)
    if not blocks:
        return [text]
    python = [body for lang, body in blocks if lang.lower() in {"python", "py", "python3"}]
    return python or [body for _, body in blocks]


def sentences(text: str) -> list[str]:
    """Sentences in English or Chinese (see ``_SENTENCE_END``); empty pieces dropped."""
    parts = _SENTENCE_END.split(text.strip())
    return [p.strip() for p in parts if p and p.strip() and any(ch.isalnum() for ch in p)]


def cjk_count(text: str) -> int:
    """Number of Chinese characters (CJK unified ideographs)."""
    return len(_CJK.findall(text))


def latin_words(text: str) -> list[str]:
    """Runs of two or more Latin letters (English words left in a Chinese text)."""
    return _LATIN_WORD.findall(text)


def words(text: str) -> int:
    """Length in words: English words, plus each Chinese character as one word."""
    latin = len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", text))
    return latin + cjk_count(text)
