"""Shared reference data: model families, licences, API list prices and machine prices.

One reader per file, used by every stage and by the policy gate, so a fact is read and
validated the same way wherever it is used.
"""

from ._families import (
    ApiPrice,
    Catalog,
    Family,
    LocalReference,
    Size,
    TokenizerEntry,
    load_catalog,
)
from ._machines import Machine, load_machines

__all__ = [
    "ApiPrice",
    "Catalog",
    "Family",
    "LocalReference",
    "Machine",
    "Size",
    "TokenizerEntry",
    "load_catalog",
    "load_machines",
]
