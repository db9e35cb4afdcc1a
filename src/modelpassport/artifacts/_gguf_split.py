"""Split GGUF sets (``name-00001-of-00005.gguf``) read as the one model they are.

Large models ship as several GGUF files: the first holds the metadata (names, tokenizer,
chat templates) and its share of the tensors, the others only tensors. A set is found from
any one of its files' names; its tensors are merged, each remembering its file, and shards
that are missing (an interrupted download) are said, not silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ._gguf import GGUFFile, read_gguf

_SHARD = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
# A set larger than this is not a model download.
MAX_SHARDS = 1024


def split_shards(path: Path) -> tuple[tuple[Path, ...], tuple[int, ...]] | None:
    """The set ``path`` belongs to: the shards present (in order) and the numbers missing;
    None when the name is not a shard name."""
    match = _SHARD.match(path.name)
    if match is None:
        return None
    count = int(match["count"])
    if not 1 <= count <= MAX_SHARDS:
        return None
    stem, width = match["stem"], len(match["no"])
    shards = {
        no: path.with_name(f"{stem}-{no:0{width}d}-of-{match['count']}.gguf")
        for no in range(1, count + 1)
    }
    present = tuple(p for p in shards.values() if p.is_file())
    missing = tuple(no for no, p in shards.items() if not p.is_file())
    return present, missing


def read_gguf_model(path: Path) -> GGUFFile:
    """A GGUF file, or the whole split set it belongs to, as one ``GGUFFile``: the first
    shard's metadata, every present shard's tensors, ``truncated`` naming missing shards.

    Raises:
        InputError: a shard is not a GGUF file or its header is corrupt.
    """
    found = split_shards(path)
    if found is None or len(found[0]) + len(found[1]) == 1:
        return read_gguf(path)
    present, missing = found
    shards = [read_gguf(p) for p in present]
    first = shards[0]
    tensors = tuple(t for shard in shards for t in shard.tensors)
    cut = [s.truncated for s in shards if s.truncated is not None]
    if missing:
        total = len(present) + len(missing)
        cut.insert(0, f"split set: shard(s) {', '.join(map(str, missing))} of {total} missing")
    return replace(
        first,
        tensors=tensors,
        truncated="; ".join(cut) or None,
        not_utf8=tuple(w for s in shards for w in s.not_utf8),
    )
