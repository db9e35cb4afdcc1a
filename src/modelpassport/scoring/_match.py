"""Cue matching that tolerates the small insertions of natural prose.

A cue written as "returned to Russia" should find "returned home to Russia", and "只是防疫给水"
should find "只是一支防疫给水": answers rarely repeat a phrase word for word. So a cue of
several words matches with at most one extra word between its words, and a Chinese cue of
three or more characters with at most two extra characters between its characters (never
across punctuation). A cue that starts with a Latin letter or a digit must start a word:
cues are often stems ("exaggerat", "recogni"), but "bat" is not in "debate" and "12" is not
in "2012".
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
        return re.compile(start + _EN_GAP.join(re.escape(w) for w in words))
    return re.compile(start + re.escape(cue))


def cue_in(cue: str, text: str) -> bool:
    """Whether one cue occurs in already-folded ``text``."""
    return bool(cue_pattern(normalise_text(cue)).search(text))
