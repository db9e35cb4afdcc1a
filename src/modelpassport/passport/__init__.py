"""The passport document: schema, sections and measurements."""

from ._measure import Estimate, Interval, Rate
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

__all__ = [
    "SCHEMA_VERSION",
    "STAGE_NAMES",
    "Estimate",
    "Findings",
    "Interval",
    "Passport",
    "Rate",
    "RunInfo",
    "StageName",
    "StageRun",
    "SubjectInfo",
    "canonical_json",
    "passport_json_schema",
]
