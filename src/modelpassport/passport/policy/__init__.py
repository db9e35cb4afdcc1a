"""The policy gate: rules over a passport's evidence, for pipelines that admit models."""

from ._check import RuleResult, Verdict, check_evidence, check_passport
from ._evidence import SEVERITIES, Evidence, Fact, read_evidence
from ._model import Policy, Rules, load_policy, parse_policy

__all__ = [
    "SEVERITIES",
    "Evidence",
    "Fact",
    "Policy",
    "RuleResult",
    "Rules",
    "Verdict",
    "check_evidence",
    "check_passport",
    "load_policy",
    "parse_policy",
    "read_evidence",
]
