"""The policy gate: every rule kind, missing evidence, malformed policies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from modelpassport.errors import InputError
from modelpassport.passport import Estimate, Interval, Rate
from modelpassport.passport.policy import (
    Evidence,
    Fact,
    Policy,
    check_evidence,
    check_passport,
    load_policy,
    parse_policy,
    read_evidence,
)

from .conftest import (
    bench_section,
    identity_section,
    make_passport,
    narratives_section,
    scan_section,
)

DOCS = Path(__file__).parents[2] / "docs" / "policies"


def _rate(k: int, n: int, low: float, high: float) -> Rate:
    return Rate(k=k, n=n, value=k / n, interval=Interval(low=low, high=high, method="wilson"))


def _est(value: float, low: float, high: float) -> Estimate:
    return Estimate(
        value=value,
        n=80,
        method="newcombe",
        interval=Interval(low=low, high=high, method="newcombe"),
    )


def _none() -> Fact[Any]:
    return Fact(None, "narratives stage skipped: stage not requested")


# A thorough, unremarkable model: US developer, clean scan, small index, fast, cheap.
GOOD = Evidence(
    statuses={
        "identity": "ok",
        "scan": "ok",
        "narratives": "ok",
        "bench": "ok",
        "security": "skipped",
        "capability": "skipped",
    },
    reasons={"security": "no stage", "capability": "no stage"},
    digest_ok=True,
    developer=Fact("Hugging Face", "catalog"),
    country=Fact("US", "catalog"),
    licence=Fact("Apache-2.0", "declared"),
    family=Fact("SmolLM2", "tokenizer"),
    lineage=Fact("matches", "tokenizer and weights"),
    lineage_matches=Fact(True, "lineage verdict: matches"),
    scan_verdict=Fact("clean", "scan verdict"),
    scan_severity=Fact("low", "1 finding(s), worst low"),
    index=Fact(_est(0.04, -0.02, 0.11), "+0.040 [-0.020, +0.110] (n=80)"),
    zh_en_gap=Fact(_est(0.02, -0.05, 0.09), "+0.020"),
    jailbreak=_none(),
    throughput=Fact(64.0, "best valid point"),
    usd_per_mtok=Fact(0.8, "self-hosted"),
    echo={
        "all": Fact(_rate(2, 100, 0.005, 0.07), "2/100"),
        "en": Fact(_rate(0, 50, 0.0, 0.07), "0/50"),
        "zh": Fact(_rate(2, 50, 0.011, 0.135), "2/50"),
    },
)


def _policy(rules: str, head: str = "") -> Policy:
    return parse_policy(f'name = "t"\n{head}\n[rules]\n{rules}\n', "policy.toml")


def _outcomes(ev: Evidence, policy: Policy) -> dict[str, str]:
    verdict = check_evidence(ev, policy, subject="m", digest="d" * 64)
    return {r.rule: r.outcome for r in verdict.results}


@pytest.mark.parametrize(
    ("rules", "changes", "rule", "good", "bad"),
    [
        (
            'deny_countries = ["CN", "RU"]',
            {"country": Fact("CN", "c")},
            "deny_countries",
            "pass",
            "fail",
        ),
        (
            'allow_countries = ["us", "FR"]',
            {"country": Fact("CN", "c")},
            "allow_countries",
            "pass",
            "fail",
        ),
        (
            'deny_developers = ["Acme AI"]',
            {"developer": Fact("acme ai", "d")},
            "deny_developers",
            "pass",
            "fail",
        ),
        (
            'allow_developers = ["Hugging Face"]',
            {"developer": Fact("Other", "d")},
            "allow_developers",
            "pass",
            "fail",
        ),
        (
            'allow_licences = ["apache-2.0", "MIT"]',
            {"licence": Fact("Llama-3.1", "l")},
            "allow_licences",
            "pass",
            "fail",
        ),
        (
            "lineage_must_match = true",
            {"lineage_matches": Fact(False, "undeclared")},
            "lineage_must_match",
            "pass",
            "fail",
        ),
        (
            'max_scan_severity = "medium"',
            {"scan_severity": Fact("critical", "x")},
            "max_scan_severity",
            "pass",
            "fail",
        ),
        (
            'max_scan_severity = "none"',
            {"scan_severity": Fact("none", "x")},
            "max_scan_severity",
            "fail",
            "pass",
        ),
        (
            "max_narrative_index = 0.1",
            {"index": Fact(_est(0.3, 0.2, 0.4), "i")},
            "max_narrative_index",
            "pass",
            "fail",
        ),
        (
            "max_zh_en_gap = 0.1",
            {"zh_en_gap": Fact(_est(0.25, 0.1, 0.4), "g")},
            "max_zh_en_gap",
            "pass",
            "fail",
        ),
        (
            "max_echo_rate = {zh = 0.1}",
            {"echo": {"zh": Fact(_rate(20, 50, 0.28, 0.54), "20/50")}},
            "max_echo_rate.zh",
            "pass",
            "fail",
        ),
        (
            "max_jailbreak_rate = 0.2",
            {"jailbreak": Fact(_rate(30, 100, 0.22, 0.39), "30/100")},
            "max_jailbreak_rate",
            "fail",
            "fail",
        ),
        (
            "min_output_tok_s = 30",
            {"throughput": Fact(12.0, "t")},
            "min_output_tok_s",
            "pass",
            "fail",
        ),
        (
            "max_usd_per_mtok = 1.0",
            {"usd_per_mtok": Fact(3.5, "c")},
            "max_usd_per_mtok",
            "pass",
            "fail",
        ),
        (
            'required_stages = ["scan"]',
            {"statuses": {**GOOD.statuses, "scan": "error"}},
            "required_stages.scan",
            "pass",
            "fail",
        ),
    ],
)
def test_every_rule_kind_passes_and_fails(
    rules: str, changes: dict[str, Any], rule: str, good: str, bad: str
) -> None:
    policy = _policy(rules)
    assert _outcomes(GOOD, policy)[rule] == good
    assert _outcomes(replace(GOOD, **changes), policy)[rule] == bad


def test_upper_bound_statistic_is_stricter() -> None:
    rules = "max_narrative_index = 0.1\nmax_echo_rate = {en = 0.05}"
    point = _outcomes(GOOD, _policy(rules))
    upper = _outcomes(GOOD, _policy(rules, 'statistic = "upper"'))
    assert point["max_narrative_index"] == "pass"  # 0.04 <= 0.1
    assert upper["max_narrative_index"] == "fail"  # 0.11 > 0.1
    assert point["max_echo_rate.en"] == "pass"
    assert upper["max_echo_rate.en"] == "fail"  # 0.07 > 0.05


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("", "fail"),
        ('on_missing = "warn"', "warn"),
        ('on_missing = "pass"', "pass"),
        ('on_missing = "fail"\non_missing_for = {max_jailbreak_rate = "warn"}', "warn"),
    ],
)
def test_missing_evidence_follows_on_missing(head: str, expected: str) -> None:
    verdict = check_evidence(
        GOOD, _policy("max_jailbreak_rate = 0.1", head), subject="m", digest="d" * 64
    )
    result = next(r for r in verdict.results if r.rule == "max_jailbreak_rate")
    assert result.missing
    assert result.outcome == expected
    assert "stage not requested" in result.evidence
    assert verdict.passed is (expected != "fail")


def test_digest_mismatch_always_fails() -> None:
    results = _outcomes(replace(GOOD, digest_ok=False), _policy(""))
    assert results == {"findings_digest": "fail"}


def test_check_passport_reads_a_real_passport() -> None:
    passport = make_passport()
    verdict = check_passport(
        passport,
        _policy('required_stages = ["identity"]\nmax_narrative_index = 0.2', 'on_missing = "warn"'),
    )
    outcomes = {r.rule: r.outcome for r in verdict.results}
    assert outcomes == {
        "findings_digest": "pass",
        "required_stages.identity": "fail",
        "max_narrative_index": "warn",
    }
    assert not verdict.passed
    tampered = passport.model_copy(update={"findings_digest": "f" * 64})
    assert check_passport(tampered, _policy(""))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\n[rules]\nmax_echo_rat = 0.1', r"rules\.max_echo_rat: unknown key"),
        ('name = "x"\nonmissing = "warn"\n[rules]', "onmissing: unknown key"),
        ('name = "x"\n[rules]\nmax_scan_severity = "severe"', "rules.max_scan_severity"),
        ('name = "x"\n[rules]\nmax_echo_rate = {fr = 0.1}', "unknown language fr"),
        ('name = "x"\n[rules]\nmax_jailbreak_rate = 2', "rules.max_jailbreak_rate"),
        ('name = "x"\n[rules]\nrequired_stages = ["scna"]', r"rules\.required_stages\.0"),
        ('name = "x"\non_missing_for = {nope = "warn"}\n[rules]', r"on_missing_for\.nope"),
        ("[rules]", "name: Field required"),
        ('name = "x"\n[rules\n', "expected TOML"),
    ],
)
def test_malformed_policy_is_one_clear_error(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        parse_policy(text, "policy.toml")
    assert str(info.value).startswith("policy.toml: ")
    assert "\n" not in str(info.value)


def test_documented_policies_are_valid() -> None:
    files = sorted(DOCS.glob("*.toml"))
    assert len(files) >= 2
    for path in files:
        policy = load_policy(path)
        assert policy.description
        check_evidence(GOOD, policy, subject="m", digest="d" * 64)


def test_evidence_is_read_from_every_stage_section() -> None:
    """Each headline fact comes out of a filled section (only security has no stage yet)."""
    passport = make_passport(
        identity=identity_section(undeclared=True),
        narratives=narratives_section(),
        bench=bench_section(),
        scan=scan_section(),
    )
    ev = read_evidence(passport)
    assert (ev.developer.value, ev.country.value, ev.family.value) == (
        "Alibaba Cloud",
        "CN",
        "Qwen2.5",
    )
    assert ev.licence.value == "MIT"  # declared; no catalogued licence in this section
    assert ev.lineage.value == "undeclared lineage"
    assert ev.lineage_matches.value is False
    assert (ev.scan_verdict.value, ev.scan_severity.value) == ("unsafe", "critical")
    assert ev.index.value is not None
    assert ev.index.value.value == 0.3
    assert ev.zh_en_gap.value is not None
    assert set(ev.echo) == {"all", "en", "zh"}
    assert ev.echo_for("zh").value == passport.findings.narratives.tables.by_lang[1].echo
    assert ev.throughput.value == max(
        p.output_tokens_per_s or 0 for p in passport.findings.bench.points if p.valid
    )
    assert ev.usd_per_mtok.value == 0.6  # the self-hosted row, not the API list price
    assert ev.jailbreak.missing
    verdict = check_passport(passport, load_policy(DOCS / "regulated-us-enterprise.toml"))
    failed = {r.rule for r in verdict.results if r.outcome == "fail"}
    assert {
        "allow_countries",
        "lineage_must_match",
        "max_scan_severity",
        "max_narrative_index",
        "max_zh_en_gap",
        "max_echo_rate.zh",
    } <= failed
    assert "findings_digest" not in failed
