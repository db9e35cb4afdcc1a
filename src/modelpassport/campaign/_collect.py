"""Turn finished audits and reference passports into the table's candidates.

Passports are read one at a time and only their headline facts and policy verdict are kept,
so building the table needs memory for one passport, not for every answer of the campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modelpassport.passport import Fact, Passport
from modelpassport.policy import Policy, check_passport
from modelpassport.report import read_passport

from ._file import Price
from ._references import CheckedReference
from ._run import AuditResult
from ._table import PRICE, Candidate, RowStatus


def _price_fact(price: Price | None) -> list[Fact]:
    if price is None or price.blended is None:
        return []
    detail = (
        f"{price.usd_per_mtok_in:g} in / {price.usd_per_mtok_out:g} out $/Mtok, 3:1 blend "
        f"({price.source})"
    )
    return [PRICE.number(price.blended, detail)]


def _candidate(
    name: str,
    path: Path,
    source: str,
    status: RowStatus,
    note: str,
    price: Price | None,
    policy: Policy | None,
) -> Candidate:
    passport: Passport = read_passport(path)
    facts = [*passport.findings.facts(), *_price_fact(price)]
    verdict = check_passport(passport, policy) if policy is not None else None
    return Candidate(name, passport.subject.ref, source, status, note, facts, verdict)


def collect(
    results: Sequence[AuditResult],
    prices: Sequence[Price | None],
    references: Sequence[CheckedReference],
    policy: Policy | None,
) -> list[Candidate]:
    """One candidate per audited model (in campaign order), then one per reference."""
    out = []
    for result, price in zip(results, prices, strict=True):
        if result.passport is None:
            out.append(Candidate(result.name, "", "audited here", "failed", result.message, []))
            continue
        status: RowStatus = "complete" if result.status == "complete" else "incomplete"
        out.append(
            _candidate(
                result.name, result.passport, "audited here", status, result.message, price, policy
            )
        )
    for ref in references:
        out.append(
            _candidate(
                ref.entry.name, ref.path, ref.provenance, "reference", "", ref.entry.price, policy
            )
        )
    return out
