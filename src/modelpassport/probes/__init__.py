"""Probe items, suites and the resumable runner that asks them."""

from ._runner import OnDone, Outcome, run_requests

__all__ = ["OnDone", "Outcome", "run_requests"]
