"""The passport document: schema, sections and measurements."""

from ._facts import Better, Fact, FactKind, FactSpec, FactValue
from ._issues import FINDING_SEVERITIES, FindingSeverity, Issue
from ._measure import Estimate, Interval, Rate
from ._migrate import MIGRATIONS, migrate
from ._schema import (
    SCHEMA_VERSION,
    STAGE_NAMES,
    Findings,
    Passport,
    RunInfo,
    StageName,
    StageRun,
    SubjectInfo,
    canonical_json,
    fact_specs,
    passport_json_schema,
    section_class,
)
from ._sign import (
    SignatureFile,
    Verification,
    generate_keypair,
    load_private_key,
    load_public_key,
    read_signature,
    sign_passport,
    verify_passport,
    write_signature,
)

__all__ = [
    "FINDING_SEVERITIES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STAGE_NAMES",
    "Better",
    "Estimate",
    "Fact",
    "FactKind",
    "FactSpec",
    "FactValue",
    "FindingSeverity",
    "Findings",
    "Interval",
    "Issue",
    "Passport",
    "Rate",
    "RunInfo",
    "SignatureFile",
    "StageName",
    "StageRun",
    "SubjectInfo",
    "Verification",
    "canonical_json",
    "fact_specs",
    "generate_keypair",
    "load_private_key",
    "load_public_key",
    "migrate",
    "passport_json_schema",
    "read_signature",
    "section_class",
    "sign_passport",
    "verify_passport",
    "write_signature",
]
