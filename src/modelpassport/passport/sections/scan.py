"""The ``scan``section of the passport."""

from __future__ import annotations

from ._base import Section


class ScanSection(Section):
    """Findings of the scan stage."""
