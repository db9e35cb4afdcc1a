"""Reading a few rows of a tensor straight from a model file, for weight lineage."""

from __future__ import annotations

from pathlib import Path

from modelpassport.errors import InputError


def read_rows(
    path: Path, name: str, offset: int, row_bytes: int, n_rows: int, rows: list[int]
) -> list[bytes]:
    """Raw bytes of the selected rows of a row-major tensor at ``offset``.

    Rows are read one by one, so memory stays bounded however large the tensor (a 262k-token
    embedding matrix is never loaded to sample 256 of its rows).
    """
    out: list[bytes] = []
    with path.open("rb") as fh:
        for r in rows:
            if not 0 <= r < n_rows:
                raise InputError(path, f"tensor '{name}': row {r} outside 0..{n_rows - 1}")
            fh.seek(offset + r * row_bytes)
            chunk = fh.read(row_bytes)
            if len(chunk) != row_bytes:
                raise InputError(
                    path, f"tensor '{name}': row {r} is past the end of the file (truncated)"
                )
            out.append(chunk)
    return out
