"""Is it safe to load? Findings from a model's files, which are never loaded or run."""

from ._hash import hash_files, sha256_file
from ._rules import Allowlist, Rule, RuleBook, load_rulebook
from ._stage import ScanStage, scan_artifacts

__all__ = [
    "Allowlist",
    "Rule",
    "RuleBook",
    "ScanStage",
    "hash_files",
    "load_rulebook",
    "scan_artifacts",
    "sha256_file",
]
