"""One bounded JSON reader for every JSON document inside model files.

``json.loads`` recurses once per nesting level and so do the many consumers that walk or
re-serialise what it returns; a hostile file nested a few thousand levels deep must give
one clear error, not a ``RecursionError`` somewhere downstream.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from modelpassport.errors import InputError

# Far deeper than any real config, tokenizer or header; far below the recursion limit.
MAX_JSON_DEPTH: Final = 64


def load_json(data: bytes | str, where: str | Path, what: str = "JSON") -> Any:
    """Parse ``data``; InputError naming ``where`` when it is not JSON or nests too deep."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(where, f"expected {what} ({exc.__class__.__name__})") from None
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth >= MAX_JSON_DEPTH:
            raise InputError(where, f"expected {what} nested at most {MAX_JSON_DEPTH} levels deep")
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return doc
