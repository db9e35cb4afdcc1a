"""The ``identity``section of the passport."""

from __future__ import annotations

from ._base import Section


class IdentitySection(Section):
    """Findings of the identity stage."""
