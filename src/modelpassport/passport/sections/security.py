"""The ``security``section of the passport."""

from __future__ import annotations

from ._base import Section


class SecuritySection(Section):
    """Findings of the security stage."""
