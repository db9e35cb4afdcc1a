"""Text from models, files and servers made inert for terminals and Markdown.

A model's metadata, a REF or a server's error body can carry terminal escape sequences
(clear the screen, move the cursor, print a fake "PASSED", OSC 8 links), bidirectional
overrides that reorder what a reader sees, and megabytes of text. Every line the CLI prints
and every Markdown cell goes through ``inert``: control and format characters become
visible ``\\xNN`` / ``\\uNNNN`` escapes and long text is cut, with the cut said.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Longest untrusted string shown whole; more is cut and the cut is said.
MAX_SHOWN: Final = 2000
# Unicode categories a terminal acts on or a reader cannot see: controls (ESC, CSI, OSC,
# BEL, CR, LF, C1), format characters (bidi overrides, zero-width, soft hyphen, tags), line
# and paragraph separators, and lone surrogates.
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def inert(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` with every control or invisible formatting character shown as an escape,
    and cut after ``limit`` characters.

    Why: what a terminal or a Markdown renderer does with such characters is decided by the
    text's author, not by the reader; shown as escapes, they can only be read.
    """
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit} more characters)"
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)
