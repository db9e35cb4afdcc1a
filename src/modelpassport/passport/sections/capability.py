"""The ``capability``section of the passport."""

from __future__ import annotations

from ._base import Section


class CapabilitySection(Section):
    """Findings of the capability stage."""
