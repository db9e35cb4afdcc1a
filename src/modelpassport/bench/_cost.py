"""The cost model: measured throughput and dated list prices turned into dollars per task.

Self-hosted: a machine costs ``usd_per_hour`` whether busy or not, so the measured rate of the
best honest load level sets the price of a token and of a task. Hosted APIs: list prices per
million tokens from the identity catalog, blended 3:1 input:output as is usual,
``(3 * P_in + P_out) / 4``, and priced for the same task (the bench's mean input and output
tokens per request).
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelpassport.errors import InputError
from modelpassport.passport.sections.bench import BenchPoint, CostRow

SECONDS_PER_HOUR = 3600.0
MILLION = 1e6


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


class ListPrice(BaseModel):
    """A hosted API's dated list price, as the identity catalog records it per family."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: str
    model: str
    usd_per_mtok_in: float = Field(ge=0)
    usd_per_mtok_out: float = Field(ge=0)
    source: str
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")

    @property
    def id(self) -> str:
        """``provider:model``, the REF form that audits the same API."""
        return f"{self.provider}:{self.model}"


class _MachineFile(BaseModel):
    schema_version: int = Field(ge=1, le=1)
    machine: list[Machine]


class _PricedFamily(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_prices: list[ListPrice] = Field(default_factory=list)


class _FamilyCatalog(BaseModel):
    model_config = ConfigDict(extra="ignore")

    family: list[_PricedFamily] = Field(default_factory=list)


def _data(name: str) -> Traversable:
    return files("modelpassport.bench") / "data" / name


def _read_toml(source: Traversable | Path) -> dict[str, object]:
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(source), f"expected a readable TOML price catalog ({exc})") from None


def _invalid(source: Traversable | Path, exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return InputError(f"{source}: {where}", f"expected {first['msg']}")


def load_machines(source: Traversable | Path | None = None) -> list[Machine]:
    """The dated machine price catalog (the bundled one unless ``source`` is given)."""
    path = source or _data("gpu_prices.toml")
    try:
        return _MachineFile.model_validate(_read_toml(path)).machine
    except ValidationError as exc:
        raise _invalid(path, exc) from None


def load_api_prices(source: Traversable | Path | None = None) -> list[ListPrice]:
    """Hosted API list prices from the identity catalog (``identity/data/families.toml``).

    One catalog of vendors serves the whole tool; the file is read as data (the bench stage
    never imports the identity stage), keeping only the ``api_prices`` of each family.
    """
    path = source or files("modelpassport") / "identity" / "data" / "families.toml"
    try:
        catalog = _FamilyCatalog.model_validate(_read_toml(path))
    except ValidationError as exc:
        raise _invalid(path, exc) from None
    return [price for family in catalog.family for price in family.api_prices]


def blend(input_price: float, output_price: float) -> float:
    """The 3:1 input:output blended price per million tokens."""
    return (3 * input_price + output_price) / 4


def self_hosted_row(
    point: BenchPoint, usd_per_hour: float, *, name: str, source: str, as_of: str
) -> CostRow:
    """What serving costs at the throughput measured at ``point``.

    All machine time is charged to output tokens in ``usd_per_mtok_output``, or spread over
    every token processed at the measured input:output mix in ``usd_per_mtok_blended`` (the
    counterpart of an API's 3:1 blend when the bench runs a 3:1 mix, as by default); a task
    costs the machine's time divided by the measured requests per second.
    """
    if not point.valid or not point.output_tokens_per_s or not point.requests_per_s:
        raise ValueError("a cost needs a valid point with throughput")
    per_second = usd_per_hour / SECONDS_PER_HOUR
    level = f"concurrency {point.concurrency}" if point.concurrency else f"{point.rate_rps} rps"
    blended = per_second / point.total_tokens_per_s * MILLION if point.total_tokens_per_s else None
    mix = point.input_tokens / point.output_tokens if point.output_tokens else 0.0
    return CostRow(
        kind="self_hosted",
        name=name,
        usd_per_hour=usd_per_hour,
        usd_per_mtok_output=per_second / point.output_tokens_per_s * MILLION,
        usd_per_mtok_blended=blended,
        usd_per_task=per_second / point.requests_per_s,
        basis=(
            f"measured {point.output_tokens_per_s:.1f} output tok/s and "
            f"{point.requests_per_s:.3f} requests/s at {level}, input:output {mix:.1f}:1"
        ),
        source=source,
        as_of=as_of,
    )


def api_row(price: ListPrice, task_input: float, task_output: float) -> CostRow:
    """A hosted API's list price, blended, and applied to the same task."""
    per_task = (task_input * price.usd_per_mtok_in + task_output * price.usd_per_mtok_out) / MILLION
    return CostRow(
        kind="api",
        name=price.id,
        usd_per_mtok_input=price.usd_per_mtok_in,
        usd_per_mtok_output=price.usd_per_mtok_out,
        usd_per_mtok_blended=blend(price.usd_per_mtok_in, price.usd_per_mtok_out),
        usd_per_task=per_task,
        basis=f"list price; task of {task_input:.0f} input + {task_output:.0f} output tokens",
        source=price.source,
        as_of=price.as_of,
    )


def basis_point(points: list[BenchPoint], slo_target: float | None) -> BenchPoint | None:
    """The load level a cost rests on: the highest honest throughput that meets the SLOs.

    With SLOs set, only points whose attainment reaches ``slo_target`` qualify; "cheaper"
    must mean cheaper at the service level the user asked for.
    """
    usable = [p for p in points if p.valid and p.output_tokens_per_s and p.requests_per_s]
    if slo_target is not None:
        usable = [
            p
            for p in usable
            if p.slo_attainment is None or (p.slo_attainment.value or 0.0) >= slo_target
        ]
    if not usable:
        return None
    return max(usable, key=lambda p: p.output_tokens_per_s or 0.0)
