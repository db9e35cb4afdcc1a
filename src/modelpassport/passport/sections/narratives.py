"""The ``narratives``section of the passport."""

from __future__ import annotations

from ._base import Section


class NarrativesSection(Section):
    """Findings of the narratives stage."""
