"""The policy gate: rules over a passport's headline facts, for pipelines that admit models."""

from ._check import RuleResult, Verdict, check_facts, check_passport
from ._model import FactRule, Policy, Rules, load_policy, parse_policy

__all__ = [
    "FactRule",
    "Policy",
    "RuleResult",
    "Rules",
    "Verdict",
    "check_facts",
    "check_passport",
    "load_policy",
    "parse_policy",
]
