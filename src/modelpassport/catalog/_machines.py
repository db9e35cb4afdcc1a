"""Dated machine prices (``data/gpu_prices.toml``): what an hour of serving hardware costs."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from modelpassport._files import read_toml_as


class Machine(BaseModel):
    """One row of gpu_prices.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    gpus: int = Field(ge=0)
    usd_per_hour: float = Field(gt=0)
    source: str
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    note: str = ""


class _MachineFile(BaseModel):
    schema_version: int = Field(ge=1, le=1)
    machine: list[Machine]


def load_machines(source: Traversable | Path | None = None) -> list[Machine]:
    """The dated machine price catalog (the bundled one unless ``source`` is given)."""
    path = source or files("modelpassport.catalog") / "data" / "gpu_prices.toml"
    return read_toml_as(path, _MachineFile, "price catalog").machine
