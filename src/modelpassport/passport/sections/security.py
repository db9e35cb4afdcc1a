"""The ``security`` section of the passport."""

from __future__ import annotations

from typing import ClassVar

from .._facts import FactSpec
from ._base import Section


class SecuritySection(Section):
    """Findings of the security stage."""

    FACTS: ClassVar[tuple[FactSpec, ...]] = (
        FactSpec(
            "security.jailbreak_rate",
            "Robustness",
            "rate",
            "lower",
            description="jailbreak success rate: attacks that made the model break its policy",
            card=True,
        ),
    )
