"""The ``bench``section of the passport."""

from __future__ import annotations

from ._base import Section


class BenchSection(Section):
    """Findings of the bench stage."""
