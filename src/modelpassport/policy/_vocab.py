"""The vocabularies policies are checked against: country codes, licence ids, fact ids.

A rule that can never match is worse than no rule: ``deny_countries = ["USA"]`` would admit
every US model while looking strict. So every code and id in a policy is checked when it is
read, with the fix named in the error.
"""

from __future__ import annotations

import difflib
import functools

from modelpassport.catalog import load_catalog


def country_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 code (with the code meant), or None."""
    from iso3166 import countries, countries_by_alpha2

    if code.upper() in countries_by_alpha2:
        return None
    try:
        meant = countries.get(code).alpha2
    except KeyError:
        return f"{code!r} is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. US)"
    return f"{code!r} is not an ISO 3166-1 alpha-2 country code; did you mean {meant!r}?"


@functools.cache
def _spdx() -> object:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def licence_problem(name: str) -> str | None:
    """Why ``name`` is neither an SPDX licence id nor a licence the catalog knows, or None."""
    if name.casefold() in load_catalog().licence_names():
        return None
    info = _spdx().validate(name)  # type: ignore[attr-defined]
    if not info.errors:
        return None
    return (
        f"{name!r} is neither an SPDX licence id (e.g. Apache-2.0, MIT) nor a licence in the "
        "catalog (e.g. Llama-3.x-Community, Gemma-Terms)"
    )


def fact_problem(fact_id: str, known: list[str]) -> str:
    """The error for a fact id this version cannot produce, naming the closest real ones."""
    close = difflib.get_close_matches(fact_id, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown fact {fact_id!r}{hint} (`modelpassport facts --list` lists every fact id)"
