"""What every passport section has in common: whether it ran, and if not, why."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SectionStatus = Literal["ok", "skipped", "error"]


class Section(BaseModel):
    """Base of every stage's section.

    A stage that lacks its input is ``skipped`` with a reason; one that failed is ``error``
    with the message. A reader can always tell "not measured" from "measured as zero".
    """

    status: SectionStatus = "ok"
    reason: str | None = Field(default=None, description="why skipped or what failed")
    method_version: str = Field(default="0", description="version of the method that made it")

    def summary(self) -> str:
        """One line for terminal and report headlines; sections override it."""
        return self.reason or ""
