"""Judge a passport against a policy: one result per rule, with the evidence shown.

Every rule, named alias or generic, becomes a condition on one headline fact. A rule whose
fact is missing (its stage was skipped, failed, or did not report it) is judged by the
policy's ``on_missing`` (default ``fail``: a gate that admits what it could not see is no
gate). The findings digest is always checked: edited findings fail the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from modelpassport.passport import Fact, Passport

from ._model import FactRule, OnMissing, Policy, Rules

Outcome = Literal["pass", "fail", "warn"]


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome, what it asked for and what the passport showed."""

    rule: str
    outcome: Outcome
    expected: str
    evidence: str
    missing: bool = False
    fact: str | None = None


@dataclass(frozen=True)
class Verdict:
    """All results of one check; ``passed`` when no rule failed (warnings do not fail)."""

    policy: str
    subject: str
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        """True when no rule failed."""
        return all(r.outcome != "fail" for r in self.results)


@dataclass(frozen=True)
class _Condition:
    """A rule compiled to a test on one fact."""

    rule: str
    fact: str
    expected: str
    test: Callable[[Fact], bool]
    missing_mode: OnMissing | None = None  # None: the policy's on_missing for the rule


def _shown(fact: Fact) -> str:
    text = fact.text()
    if fact.detail and fact.kind in ("category", "flag", "number"):
        return f"{text} — {fact.detail}"
    return text


def _judge(policy: Policy, cond: _Condition, fact: Fact) -> RuleResult:
    if fact.missing:
        mode = cond.missing_mode or policy.missing_mode(cond.rule)
        outcome: Outcome = "fail" if mode == "fail" else "warn" if mode == "warn" else "pass"
        return RuleResult(
            cond.rule, outcome, cond.expected, f"missing: {fact.detail}", True, cond.fact
        )
    passed = cond.test(fact)
    return RuleResult(
        cond.rule, "pass" if passed else "fail", cond.expected, _shown(fact), fact=cond.fact
    )


def _member(names: list[str], *, inside: bool) -> Callable[[Fact], bool]:
    folded = {n.casefold() for n in names}
    return lambda fact: (str(fact.value).casefold() in folded) == inside


def _bound(limit: float | str, *, upper: bool, strict: bool) -> Callable[[Fact], bool]:
    def test(fact: Fact) -> bool:
        cap = float(fact.order.index(limit)) if isinstance(limit, str) else limit
        end: Literal["point", "low", "high"] = ("high" if upper else "low") if strict else "point"
        value = fact.numeric(end)
        if value is None:
            return False
        return value <= cap if upper else value >= cap

    return test


def _fact_conditions(policy: Policy, fact_id: str, rule: FactRule, name: str) -> list[_Condition]:
    """One condition per condition the rule sets; generic rules name each ``facts.ID.KIND``."""
    strict = policy.strict(rule)
    upper = "upper 95% bound" if strict else "value"
    lower = "lower 95% bound" if strict else "value"
    want = rule.equals
    tests: list[tuple[str, str, Callable[[Fact], bool]] | None] = [
        None
        if rule.max is None
        else ("max", f"{upper} <= {rule.max}", _bound(rule.max, upper=True, strict=strict)),
        None
        if rule.min is None
        else ("min", f"{lower} >= {rule.min}", _bound(rule.min, upper=False, strict=strict)),
        None
        if rule.allow is None
        else ("allow", f"one of {', '.join(rule.allow)}", _member(rule.allow, inside=True)),
        None
        if rule.deny is None
        else ("deny", f"none of {', '.join(rule.deny)}", _member(rule.deny, inside=False)),
        None if want is None else ("equals", f"equals {want}", lambda fact: fact.value == want),
    ]
    generic = name.startswith("facts.")
    return [
        _Condition(f"{name}.{kind}" if generic else name, fact_id, expected, test, rule.on_missing)
        for kind, expected, test in filter(None, tests)
    ]


def _aliases(policy: Policy, rules: Rules) -> Iterator[_Condition]:
    """The named rules, in the order the gate has always reported them."""

    def one(name: str, fact_id: str, rule: FactRule) -> Iterator[_Condition]:
        yield from _fact_conditions(policy, fact_id, rule, name)

    if rules.lineage_must_match:
        yield _Condition(
            "lineage_must_match",
            "identity.lineage_matches",
            "detected lineage matches the declaration",
            lambda fact: fact.value is True,
        )
    if rules.max_scan_severity is not None:
        cap = rules.max_scan_severity
        yield _Condition(
            "max_scan_severity",
            "scan.worst_severity",
            f"worst finding <= {cap}",
            _bound(cap, upper=True, strict=False),
        )
    for stage in rules.required_stages or []:
        yield _Condition(
            f"required_stages.{stage}",
            f"{stage}.status",
            "stage ran",
            lambda fact: fact.value == "ok",
        )
    for kind, fact_id, allowed, denied in (
        ("countries", "identity.country", rules.allow_countries, rules.deny_countries),
        ("developers", "identity.developer", rules.allow_developers, rules.deny_developers),
    ):
        if allowed is not None:
            yield from one(f"allow_{kind}", fact_id, FactRule(allow=allowed))
        if denied is not None:
            yield from one(f"deny_{kind}", fact_id, FactRule(deny=denied))
    if rules.allow_licences is not None:
        yield from one("allow_licences", "identity.licence", FactRule(allow=rules.allow_licences))
    for name, fact_id, limit in (
        ("max_narrative_index", "narratives.index", rules.max_narrative_index),
        ("max_zh_en_gap", "narratives.zh_en_gap", rules.max_zh_en_gap),
    ):
        if limit is not None:
            yield from one(name, fact_id, FactRule(max=limit))
    for scope, limit in sorted((rules.max_echo_rate or {}).items()):
        fact_id = "narratives.echo_rate" + ("" if scope == "all" else f".{scope}")
        yield from one(f"max_echo_rate.{scope}", fact_id, FactRule(max=limit))
    if rules.max_jailbreak_rate is not None:
        yield from one(
            "max_jailbreak_rate", "security.jailbreak_rate", FactRule(max=rules.max_jailbreak_rate)
        )
    if rules.min_output_tok_s is not None:
        floor = rules.min_output_tok_s
        yield _Condition(
            "min_output_tok_s",
            "bench.output_tokens_per_s",
            f">= {floor} output tok/s",
            _bound(floor, upper=False, strict=False),
        )
    if rules.max_usd_per_mtok is not None:
        cap_usd = rules.max_usd_per_mtok
        yield _Condition(
            "max_usd_per_mtok",
            "bench.usd_per_mtok",
            f"<= ${cap_usd} per Mtok",
            _bound(cap_usd, upper=True, strict=False),
        )


def conditions(policy: Policy) -> list[_Condition]:
    """Every condition a policy sets: named rules first, then ``[facts]`` rules by id."""
    out = list(_aliases(policy, policy.rules))
    for fact_id, rule in sorted(policy.facts.items()):
        out += _fact_conditions(policy, fact_id, rule, f"facts.{fact_id}")
    return out


def check_facts(
    facts: Mapping[str, Fact], policy: Policy, *, subject: str, digest_ok: bool
) -> Verdict:
    """Apply every rule the policy sets to facts already read from a passport.

    Why separate from ``check_passport``: campaigns and dashboards hold facts, not passports.
    """
    integrity = RuleResult(
        "findings_digest",
        "pass" if digest_ok else "fail",
        "recomputed digest matches",
        "matches"
        if digest_ok
        else "the findings do not match their digest (edited after the audit)",
    )
    results = [integrity]
    for cond in conditions(policy):
        results.append(_judge(policy, cond, facts[cond.fact]))
    return Verdict(policy.name, subject, tuple(results))


def check_passport(passport: Passport, policy: Policy) -> Verdict:
    """Apply every rule the policy sets to the passport's facts."""
    facts = {fact.id: fact for fact in passport.findings.facts()}
    return check_facts(facts, policy, subject=passport.subject.ref, digest_ok=passport.digest_ok())
