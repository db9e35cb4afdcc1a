"""The rule catalog and the pickle allowlist, read from the package's data files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast, get_args

from modelpassport.passport import FindingSeverity
from modelpassport.passport.sections.scan import ScanFinding

# Evidence is quoted, not dumped: a hostile file must not bloat the passport.
MAX_EVIDENCE = 240


@dataclass(frozen=True)
class Rule:
    """One rule: its id, default severity, short name and help text."""

    rule_id: str
    severity: FindingSeverity
    name: str
    help: str


@dataclass(frozen=True)
class Allowlist:
    """What pickles may import, and what marks an import as code execution."""

    allowed: frozenset[tuple[str, str]]
    danger_modules: tuple[str, ...]
    danger_names: frozenset[str]

    def allows(self, module: str, name: str) -> bool:
        """Exact match only: ``numpy`` + ``__builtins__.eval`` is not ``numpy.ndarray``."""
        return (module, name) in self.allowed

    def is_dangerous(self, module: str, name: str) -> bool:
        """True for imports whose only use in a pickle is running code."""
        if f"{module}.{name}" in self.danger_names or "__" in name:
            return True
        return any(module == m or module.startswith(m + ".") for m in self.danger_modules)


@dataclass(frozen=True)
class RuleBook:
    """Rules and allowlist together, with the version that goes into the passport."""

    version: str
    rules: dict[str, Rule]
    allowlist: Allowlist

    def finding(
        self,
        rule_id: str,
        file: str,
        message: str,
        *,
        location: str = "",
        evidence: str = "",
        severity: FindingSeverity | None = None,
    ) -> ScanFinding:
        """A finding for ``rule_id`` with the rule's severity unless one is given."""
        rule = self.rules[rule_id]
        text = evidence if len(evidence) <= MAX_EVIDENCE else evidence[:MAX_EVIDENCE] + "…"
        return ScanFinding(
            rule_id=rule_id,
            severity=severity or rule.severity,
            file=file,
            location=location,
            message=message,
            evidence=text,
        )

    def unread(
        self, file: str, what: str, *, location: str = "", evidence: str = ""
    ) -> ScanFinding:
        """The fail-closed finding for anything the scan could not read to the end.

        Why: a limit or a parse error must never leave a file looking clean; the finding's
        severity (high) fails every shipped policy, and its message says why.
        """
        return self.finding(
            "MP-FMT-001",
            file,
            f"{what}: could not be fully read, so it cannot be shown safe",
            location=location,
            evidence=evidence,
        )


def _data(name: str) -> dict[str, Any]:
    text = resources.files("modelpassport.scan").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text)


def load_rulebook() -> RuleBook:
    """Read and check the rule catalog and allowlist shipped with the package.

    Why: both are data a reviewer edits; a malformed entry must fail loudly here rather
    than silently weaken the scan.
    """
    rules_doc, allow_doc = _data("rules.toml"), _data("pickle_allowlist.toml")
    rules: dict[str, Rule] = {}
    for rule_id, entry in rules_doc["rules"].items():
        severity = entry["severity"]
        if severity not in get_args(FindingSeverity):
            raise ValueError(f"rules.toml: {rule_id}: unknown severity {severity!r}")
        rules[rule_id] = Rule(
            rule_id, cast(FindingSeverity, severity), str(entry["name"]), str(entry["help"])
        )
    allowed = frozenset(
        (str(entry["module"]), str(name)) for entry in allow_doc["allow"] for name in entry["names"]
    )
    danger = allow_doc["danger"]
    allowlist = Allowlist(allowed, tuple(danger["modules"]), frozenset(danger["names"]))
    version = f"rules-{rules_doc['version']}+allowlist-{allow_doc['version']}"
    return RuleBook(version, rules, allowlist)
