"""The passport document: schema, sections and measurements."""

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
    passport_json_schema,
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
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STAGE_NAMES",
    "Estimate",
    "Findings",
    "Interval",
    "Passport",
    "Rate",
    "RunInfo",
    "SignatureFile",
    "StageName",
    "StageRun",
    "SubjectInfo",
    "Verification",
    "canonical_json",
    "generate_keypair",
    "load_private_key",
    "load_public_key",
    "migrate",
    "passport_json_schema",
    "read_signature",
    "sign_passport",
    "verify_passport",
    "write_signature",
]
