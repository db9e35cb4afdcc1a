"""Probe items, suites, stratified sampling and the resumable runner that asks them."""

from ._items import Claim, Kind, Lang, ProbeItem, Variant, normalise_text
from ._runner import OnDone, Outcome, run_requests
from ._sample import Sample, strata_of, stratified_sample
from ._suite import Suite, bundled_suite_path, load_suite, read_jsonl

__all__ = [
    "Claim",
    "Kind",
    "Lang",
    "OnDone",
    "Outcome",
    "ProbeItem",
    "Sample",
    "Suite",
    "Variant",
    "bundled_suite_path",
    "load_suite",
    "normalise_text",
    "read_jsonl",
    "run_requests",
    "strata_of",
    "stratified_sample",
]
