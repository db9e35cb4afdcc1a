"""Cue matching that tolerates the small insertions of natural prose.

A cue written as "returned to Russia" should find "returned home to Russia", and "只是防疫给水"
should find "只是一支防疫给水": answers rarely repeat a phrase word for word. So a cue of
several words matches with at most one extra word between its words, and a Chinese cue of
three or more characters with at most two extra characters between its characters (never
across punctuation). A cue that starts with a Latin letter or a digit must start a word:
cues are often stems ("exaggerat", "recogni"), but "bat" is not in "debate" and "12" is not
in "2012". Inside a cue of several words, a word ends where the answer's word ends, and its
regular ending (-s, -es, -ed, -ing) may be any other: "belongs to china" finds "belonged to
china", but "part of" does not find "party of".
"""

from __future__ import annotations

import re
from functools import lru_cache

from modelpassport.probes import normalise_text

_HAN = re.compile(r"[\u3400-\u9fff]")
_EN_GAP = r"[\s\-]+(?:[\w'\-]+[\s\-]+)?"
_ZH_GAP = r"[^\s，。；：！？、,.;:!?]{0,2}"


@lru_cache(maxsize=8192)
def cue_pattern(cue: str) -> re.Pattern[str]:
    """The compiled pattern of one cue (already folded)."""
    if _HAN.search(cue) and len(cue) >= 3 and not re.search(r"[a-z0-9]", cue):
        return re.compile(_ZH_GAP.join(re.escape(ch) for ch in cue))
    start = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", cue) else ""
    words = cue.split()
    if len(words) >= 2:
        inner = [_inflected(w) for w in words[:-1]]
        return re.compile(start + _EN_GAP.join([*inner, re.escape(words[-1])]))
    return re.compile(start + re.escape(cue))


_SUFFIX = re.compile(r"^([a-z]{4,}?)(?:ing|ed|es|s)$")


def _inflected(word: str) -> str:
    """A word inside a cue of several words, in any of its inflections ("belongs to china"
    finds "belonged to china"): a regular ending is replaced by up to four letters. The last
    word of a cue is already open at its end."""
    found = _SUFFIX.match(word)
    if found is None:
        return re.escape(word) + r"(?![a-z])" if word.isalpha() else re.escape(word)
    return re.escape(found.group(1)) + r"[a-z]{0,4}(?![a-z])"


def cue_in(cue: str, text: str) -> bool:
    """Whether one cue occurs in already-folded ``text``."""
    return bool(cue_pattern(normalise_text(cue)).search(text))
