"""Judge a passport against a policy: one result per rule, with the evidence shown.

A rule whose evidence is missing (its stage was skipped, failed, or did not report it) is
judged by the policy's ``on_missing`` (default ``fail``: a gate that admits what it could not
see is no gate). The findings digest is always checked: edited findings fail the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar

from modelpassport.passport._measure import Estimate, Rate
from modelpassport.passport._schema import Passport

from ._evidence import SEVERITIES, Evidence, Fact, read_evidence
from ._model import Policy, Rules

Outcome = Literal["pass", "fail", "warn"]
T = TypeVar("T")


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome, what it asked for and what the passport showed."""

    rule: str
    outcome: Outcome
    expected: str
    evidence: str
    missing: bool = False


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


def _judge(
    policy: Policy, rule: str, expected: str, fact: Fact[T], ok: Callable[[T], bool]
) -> RuleResult:
    if fact.value is None:
        mode = policy.missing_mode(rule)
        return RuleResult(rule, mode, expected, f"missing: {fact.detail}", missing=True)
    shown = (
        fact.detail
        if isinstance(fact.value, Estimate | Rate)
        else (f"{fact.value} — {fact.detail}")
    )
    return RuleResult(rule, "pass" if ok(fact.value) else "fail", expected, shown)


def _statistic(policy: Policy, value: Estimate | Rate) -> float:
    if policy.statistic == "upper" and value.interval is not None:
        return value.interval.high
    return float(value.value or 0.0)


def _member(names: list[str], *, inside: bool) -> Callable[[str], bool]:
    folded = {n.casefold() for n in names}
    return lambda value: (value.casefold() in folded) == inside


def _at_most(policy: Policy, limit: float) -> Callable[[Estimate | Rate], bool]:
    return lambda value: _statistic(policy, value) <= limit


def _lists(policy: Policy, rules: Rules, ev: Evidence) -> Iterator[RuleResult]:
    for rule, fact, allowed, denied in (
        ("countries", ev.country, rules.allow_countries, rules.deny_countries),
        ("developers", ev.developer, rules.allow_developers, rules.deny_developers),
    ):
        if allowed is not None:
            yield _judge(
                policy,
                f"allow_{rule}",
                f"one of {', '.join(allowed)}",
                fact,
                _member(allowed, inside=True),
            )
        if denied is not None:
            yield _judge(
                policy,
                f"deny_{rule}",
                f"none of {', '.join(denied)}",
                fact,
                _member(denied, inside=False),
            )
    if rules.allow_licences is not None:
        yield _judge(
            policy,
            "allow_licences",
            f"one of {', '.join(rules.allow_licences)}",
            ev.licence,
            _member(rules.allow_licences, inside=True),
        )


def _bounds(policy: Policy, rules: Rules, ev: Evidence) -> Iterator[RuleResult]:
    which = "upper 95% bound" if policy.statistic == "upper" else "value"
    for name, fact, limit in (
        ("max_narrative_index", ev.index, rules.max_narrative_index),
        ("max_zh_en_gap", ev.zh_en_gap, rules.max_zh_en_gap),
    ):
        if limit is not None:
            yield _judge(policy, name, f"{which} <= {limit}", fact, _at_most(policy, limit))
    for scope, limit in sorted((rules.max_echo_rate or {}).items()):
        yield _judge(
            policy,
            f"max_echo_rate.{scope}",
            f"{which} <= {limit}",
            ev.echo_for(scope),
            _at_most(policy, limit),
        )
    if rules.max_jailbreak_rate is not None:
        yield _judge(
            policy,
            "max_jailbreak_rate",
            f"{which} <= {rules.max_jailbreak_rate}",
            ev.jailbreak,
            _at_most(policy, rules.max_jailbreak_rate),
        )
    if rules.min_output_tok_s is not None:
        floor = rules.min_output_tok_s
        yield _judge(
            policy,
            "min_output_tok_s",
            f">= {floor} output tok/s",
            ev.throughput,
            lambda v: v >= floor,
        )
    if rules.max_usd_per_mtok is not None:
        cap = rules.max_usd_per_mtok
        yield _judge(
            policy, "max_usd_per_mtok", f"<= ${cap} per Mtok", ev.usd_per_mtok, lambda v: v <= cap
        )


def _provenance(policy: Policy, rules: Rules, ev: Evidence) -> Iterator[RuleResult]:
    if rules.lineage_must_match:
        yield _judge(
            policy,
            "lineage_must_match",
            "detected lineage matches the declaration",
            ev.lineage_matches,
            lambda v: v,
        )
    if rules.max_scan_severity is not None:
        cap = SEVERITIES.index(rules.max_scan_severity)
        yield _judge(
            policy,
            "max_scan_severity",
            f"worst finding <= {rules.max_scan_severity}",
            ev.scan_severity,
            lambda v: SEVERITIES.index(v) <= cap,
        )
    for stage in rules.required_stages or []:
        status = ev.statuses.get(stage, "skipped")
        detail = status if status == "ok" else f"{status}: {ev.reasons.get(stage) or '-'}"
        yield RuleResult(
            f"required_stages.{stage}", "pass" if status == "ok" else "fail", "stage ran", detail
        )


def check_evidence(ev: Evidence, policy: Policy, *, subject: str, digest: str) -> Verdict:
    """Apply every rule the policy sets to evidence already read from a passport."""
    integrity = RuleResult(
        "findings_digest",
        "pass" if ev.digest_ok else "fail",
        "recomputed digest matches",
        "matches"
        if ev.digest_ok
        else f"recorded {digest[:16]}… does not match the findings (edited after the audit)",
    )
    results = [
        integrity,
        *_provenance(policy, policy.rules, ev),
        *_lists(policy, policy.rules, ev),
        *_bounds(policy, policy.rules, ev),
    ]
    return Verdict(policy.name, subject, tuple(results))


def check_passport(passport: Passport, policy: Policy) -> Verdict:
    """Apply every rule the policy sets to the passport's evidence."""
    return check_evidence(
        read_evidence(passport),
        policy,
        subject=passport.subject.ref,
        digest=passport.findings_digest,
    )
