"""Reference passports: audits produced elsewhere, read and, when signed, verified.

An organisation can publish the audits of common models once and every team can set its own
candidates beside them. A signed reference is admitted only when its detached signature
verifies against a key the campaign file trusts by name (the key embedded in the signature
file is never trusted by itself); an unsigned one is shown as unsigned, and its findings
digest is still checked by the policy gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelpassport.errors import InputError
from modelpassport.passport import load_public_key, read_signature, verify_passport
from modelpassport.report import read_passport

from ._file import Campaign, ReferenceEntry


@dataclass(frozen=True)
class CheckedReference:
    """A reference passport that was read (and verified, when signed)."""

    entry: ReferenceEntry
    path: Path
    provenance: str


def check_reference(campaign: Campaign, index: int) -> CheckedReference:
    """Read one reference passport and verify its signature with the named trusted key.

    Raises:
        InputError: the passport is unreadable, or its signature does not verify.
    """
    entry = campaign.references[index]
    where = f"{campaign.source} references[{index}]"
    passport = read_passport(entry.passport)
    if entry.signature is None or entry.key is None:
        note = "" if passport.digest_ok() else "; findings digest does not match (edited)"
        return CheckedReference(entry, entry.passport, f"reference, unsigned{note}")
    trusted = load_public_key(campaign.trusted_keys[entry.key])
    result = verify_passport(passport, read_signature(entry.signature), trusted)
    if not result.ok:
        raise InputError(where, f"signature does not verify: {'; '.join(result.problems)}")
    return CheckedReference(
        entry, entry.passport, f"reference, signed by {entry.key} (key {result.key_id}, verified)"
    )


def check_references(campaign: Campaign) -> list[CheckedReference]:
    """Every reference of the campaign, checked before any audit starts (fail fast)."""
    return [check_reference(campaign, i) for i in range(len(campaign.references))]
