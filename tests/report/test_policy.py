"""The policy gate: every rule kind, missing evidence, malformed policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelpassport.errors import InputError
from modelpassport.passport import Estimate, Fact, Interval, Rate, fact_specs
from modelpassport.policy import (
    Policy,
    check_facts,
    check_passport,
    load_policy,
    parse_policy,
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


SPECS = fact_specs()


def _f(fact_id: str, value: Any, detail: str = "") -> Fact:
    spec = SPECS[fact_id]
    if isinstance(value, Rate):
        return spec.rate(value, detail)
    if isinstance(value, Estimate):
        return spec.estimate(value, detail)
    if isinstance(value, bool):
        return spec.flag(value, detail)
    if isinstance(value, str):
        return spec.category(value, detail)
    return spec.number(value, detail)


def _facts(**changes: Any) -> dict[str, Fact]:
    """Every fact of a thorough, unremarkable model, with ``changes`` (id with _ for .) applied."""
    facts = {
        fid: spec.missing("security stage skipped: stage not requested")
        for fid, spec in SPECS.items()
    }
    values: dict[str, Any] = {
        "identity.status": "ok",
        "scan.status": "ok",
        "narratives.status": "ok",
        "bench.status": "ok",
        "security.status": "skipped",
        "capability.status": "skipped",
        "identity.developer": "Hugging Face",
        "identity.country": "US",
        "identity.licence": "Apache-2.0",
        "identity.family": "SmolLM2",
        "identity.lineage": "matches",
        "identity.lineage_matches": True,
        "scan.verdict": "clean",
        "scan.worst_severity": "low",
        "narratives.index": _est(0.04, -0.02, 0.11),
        "narratives.zh_en_gap": _est(0.02, -0.05, 0.09),
        "bench.output_tokens_per_s": 64.0,
        "bench.usd_per_mtok": 0.8,
        "narratives.echo_rate": _rate(2, 100, 0.005, 0.07),
        "narratives.echo_rate.en": _rate(0, 50, 0.0, 0.07),
        "narratives.echo_rate.zh": _rate(2, 50, 0.011, 0.135),
    }
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    for fid, value in values.items():
        facts[fid] = value if isinstance(value, Fact) else _f(fid, value, "shown")
    return facts


GOOD = _facts()


def _policy(rules: str, head: str = "", facts: str = "") -> Policy:
    return parse_policy(f'name = "t"\n{head}\n[rules]\n{rules}\n{facts}\n', "policy.toml")


def _outcomes(facts: dict[str, Fact], policy: Policy, *, digest_ok: bool = True) -> dict[str, str]:
    verdict = check_facts(facts, policy, subject="m", digest_ok=digest_ok)
    return {r.rule: r.outcome for r in verdict.results}


@pytest.mark.parametrize(
    ("rules", "changes", "rule", "good", "bad"),
    [
        (
            'deny_countries = ["CN", "RU"]',
            {"identity__country": "CN"},
            "deny_countries",
            "pass",
            "fail",
        ),
        (
            'allow_countries = ["us", "FR"]',
            {"identity__country": "CN"},
            "allow_countries",
            "pass",
            "fail",
        ),
        (
            'deny_developers = ["Acme AI"]',
            {"identity__developer": "acme ai"},
            "deny_developers",
            "pass",
            "fail",
        ),
        (
            'allow_developers = ["Hugging Face"]',
            {"identity__developer": "Other"},
            "allow_developers",
            "pass",
            "fail",
        ),
        (
            'allow_licences = ["apache-2.0", "MIT"]',
            {"identity__licence": "Llama-3.x-Community"},
            "allow_licences",
            "pass",
            "fail",
        ),
        (
            "lineage_must_match = true",
            {"identity__lineage_matches": False},
            "lineage_must_match",
            "pass",
            "fail",
        ),
        (
            'max_scan_severity = "medium"',
            {"scan__worst_severity": "critical"},
            "max_scan_severity",
            "pass",
            "fail",
        ),
        (
            'max_scan_severity = "none"',
            {"scan__worst_severity": "none"},
            "max_scan_severity",
            "fail",
            "pass",
        ),
        (
            "max_narrative_index = 0.1",
            {"narratives__index": _est(0.3, 0.2, 0.4)},
            "max_narrative_index",
            "pass",
            "fail",
        ),
        (
            "max_zh_en_gap = 0.1",
            {"narratives__zh_en_gap": _est(0.25, 0.1, 0.4)},
            "max_zh_en_gap",
            "pass",
            "fail",
        ),
        (
            "max_echo_rate = {zh = 0.1}",
            {"narratives__echo_rate__zh": _rate(20, 50, 0.28, 0.54)},
            "max_echo_rate.zh",
            "pass",
            "fail",
        ),
        (
            "max_jailbreak_rate = 0.2",
            {"security__jailbreak_rate": _rate(30, 100, 0.22, 0.39)},
            "max_jailbreak_rate",
            "fail",
            "fail",
        ),
        (
            "min_output_tok_s = 30",
            {"bench__output_tokens_per_s": 12.0},
            "min_output_tok_s",
            "pass",
            "fail",
        ),
        (
            "max_usd_per_mtok = 1.0",
            {"bench__usd_per_mtok": 3.5},
            "max_usd_per_mtok",
            "pass",
            "fail",
        ),
        (
            'required_stages = ["scan"]',
            {"scan__status": "error"},
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
    assert _outcomes(_facts(**changes), policy)[rule] == bad


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
    verdict = check_facts(
        GOOD, _policy("max_jailbreak_rate = 0.1", head), subject="m", digest_ok=True
    )
    result = next(r for r in verdict.results if r.rule == "max_jailbreak_rate")
    assert result.missing
    assert result.outcome == expected
    assert "stage not requested" in result.evidence
    assert verdict.passed is (expected != "fail")


def test_digest_mismatch_always_fails() -> None:
    results = _outcomes(GOOD, _policy(""), digest_ok=False)
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
        ('name = "x"\n[rules]\nrequired_stages = ["scna"]', "unknown stage 'scna'"),
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
        check_facts(GOOD, policy, subject="m", digest_ok=True)


def test_facts_are_read_from_every_stage_section() -> None:
    """Each headline fact comes out of a filled section (security has no stage yet)."""
    passport = make_passport(
        identity=identity_section(undeclared=True),
        narratives=narratives_section(),
        bench=bench_section(),
        scan=scan_section(),
    )
    facts = {f.id: f for f in passport.findings.facts()}
    assert [facts[f"identity.{k}"].value for k in ("developer", "country", "family")] == [
        "Alibaba Cloud",
        "CN",
        "Qwen2.5",
    ]
    assert facts["identity.licence"].value == "MIT"  # declared; no catalogued licence here
    assert facts["identity.lineage"].value == "undeclared lineage"
    assert facts["identity.lineage_matches"].value is False
    assert (facts["scan.verdict"].value, facts["scan.worst_severity"].value) == (
        "unsafe",
        "critical",
    )
    assert facts["narratives.index"].value == 0.3
    assert facts["narratives.zh_en_gap"].interval is not None
    zh = passport.findings.narratives.tables.by_lang[1].echo
    assert (facts["narratives.echo_rate.zh"].k, facts["narratives.echo_rate.zh"].n) == (zh.k, zh.n)
    assert facts["bench.output_tokens_per_s"].value == max(
        p.output_tokens_per_s or 0 for p in passport.findings.bench.points if p.valid
    )
    assert facts["bench.usd_per_mtok"].value == 0.6  # the self-hosted row, not the API price
    assert facts["security.jailbreak_rate"].missing
    assert "security stage skipped" in facts["security.jailbreak_rate"].detail
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


@pytest.mark.parametrize(
    ("facts", "changes", "rule", "good", "bad"),
    [
        (
            '[facts."narratives.echo_rate.zh"]\nmax = 0.2',
            {"narratives__echo_rate__zh": _rate(20, 50, 0.28, 0.54)},
            "facts.narratives.echo_rate.zh.max",
            "pass",
            "fail",
        ),
        (
            '[facts."bench.output_tokens_per_s"]\nmin = 50',
            {"bench__output_tokens_per_s": 20.0},
            "facts.bench.output_tokens_per_s.min",
            "pass",
            "fail",
        ),
        (
            '[facts."scan.verdict"]\nmax = "review"',
            {"scan__verdict": "unsafe"},
            "facts.scan.verdict.max",
            "pass",
            "fail",
        ),
        (
            '[facts."identity.country"]\ndeny = ["CN", "RU"]',
            {"identity__country": "RU"},
            "facts.identity.country.deny",
            "pass",
            "fail",
        ),
        (
            '[facts."identity.lineage_matches"]\nequals = true',
            {"identity__lineage_matches": False},
            "facts.identity.lineage_matches.equals",
            "pass",
            "fail",
        ),
        (
            '[facts."identity.family"]\nallow = ["SmolLM2", "Gemma 3"]',
            {"identity__family": "Qwen2.5"},
            "facts.identity.family.allow",
            "pass",
            "fail",
        ),
    ],
)
def test_generic_fact_rules_pass_and_fail(
    facts: str, changes: dict[str, Any], rule: str, good: str, bad: str
) -> None:
    policy = _policy("", facts=facts)
    assert _outcomes(GOOD, policy)[rule] == good
    assert _outcomes(_facts(**changes), policy)[rule] == bad


def test_interval_statistic_uses_the_end_worse_for_the_subject() -> None:
    floor = '[facts."narratives.echo_rate.en"]\nmin = 0.0\nmax = 0.05'
    point = _outcomes(GOOD, _policy("", facts=floor))
    strict = _outcomes(GOOD, _policy("", 'statistic = "interval"', floor))
    assert point["facts.narratives.echo_rate.en.max"] == "pass"
    assert strict["facts.narratives.echo_rate.en.max"] == "fail"  # upper end 0.07 > 0.05
    per_rule = _policy("", facts=floor + '\nstatistic = "interval"')
    assert _outcomes(GOOD, per_rule)["facts.narratives.echo_rate.en.max"] == "fail"


def test_a_generic_rule_on_missing_evidence_follows_on_missing() -> None:
    rule = '[facts."security.jailbreak_rate"]\nmax = 0.1\non_missing = "warn"'
    verdict = check_facts(GOOD, _policy("", facts=rule), subject="m", digest_ok=True)
    result = next(r for r in verdict.results if r.fact == "security.jailbreak_rate")
    assert (result.outcome, result.missing) == ("warn", True)
    assert (
        _outcomes(GOOD, _policy("", facts=rule.replace("warn", "fail")))[
            "facts.security.jailbreak_rate.max"
        ]
        == "fail"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[rules]\ndeny_countries = ["USA"]',
            "'USA' is not an ISO 3166-1 alpha-2 country code; did you mean 'US'",
        ),
        ('[rules]\nallow_countries = ["XX"]', "'XX' is not an ISO 3166-1 alpha-2"),
        ('[rules]\nallow_licences = ["Apache2"]', "'Apache2' is neither an SPDX licence id"),
        (
            '[facts."narratives.echo_rate.fr"]\nmax = 0.1',
            "unknown fact 'narratives.echo_rate.fr'; did you mean",
        ),
        ('[facts."identity.country"]\ndeny = ["China"]', "'China' is not an ISO 3166-1 alpha-2"),
        ('[facts."identity.country"]\nmax = 3', "max/min need a numeric or ordinal fact"),
        ('[facts."scan.verdict"]\nmax = "bad"', "expected one of clean, review, unsafe"),
        ('[facts."narratives.index"]\nallow = ["x"]', "allow/deny need a category fact"),
        ('[facts."narratives.index"]\nstatistic = "point"', "sets no condition"),
        (
            '[facts."narratives.index"]\nmaximum = 1',
            r"facts\.narratives\.index\.maximum: unknown key",
        ),
    ],
)
def test_policies_naming_what_cannot_match_are_errors(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        parse_policy(f'name = "x"\n{text}\n', "policy.toml")
    assert "\n" not in str(info.value)


def test_licences_may_be_spdx_ids_in_any_case_or_catalog_ids() -> None:
    policy = _policy('allow_licences = ["apache-2.0", "MIT", "Llama-3.x-Community", "Gemma-Terms"]')
    assert _outcomes(GOOD, policy)["allow_licences"] == "pass"
