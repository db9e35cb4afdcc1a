"""The decision table is generic over facts: whatever facts passports carry become columns,
grouped by stage, marked only beyond the noise, and charted by kind."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from modelpassport.campaign import Candidate, build_table, render_table_html
from modelpassport.passport import Fact, FactSpec, Interval, Rate
from modelpassport.report import pareto_front

NS = "{http://www.w3.org/2000/svg}"
# A stage this version does not have: its facts must still show up, under its own heading.
PASS_AT_1 = FactSpec("capability.pass_at_1.code", "Pass@1, code", "rate", "higher")
CONTRACTS = FactSpec("contracts.clause_recall", "Clause recall", "rate", "higher")
COST = FactSpec("bench.usd_per_mtok", "Cost", "number", "lower", unit="$/Mtok")
COUNTRY = FactSpec("identity.country", "Developer country", "category", "categorical")
ECHO_EN = FactSpec("narratives.echo_rate.en", "Narrative echo, en", "rate", "lower")
ECHO_ZH = FactSpec("narratives.echo_rate.zh", "Narrative echo, zh", "rate", "lower")


def _rate(spec: FactSpec, k: int, n: int, low: float, high: float) -> Fact:
    return spec.rate(
        Rate(k=k, n=n, value=k / n, interval=Interval(low=low, high=high, method="wilson"))
    )


def _candidate(name: str, *facts: Fact) -> Candidate:
    return Candidate(name, f"http://h/v1#{name}", "audited here", "complete", "", list(facts))


CANDIDATES = [
    _candidate(
        "cheap-weak",
        COUNTRY.category("CN"),
        _rate(ECHO_EN, 1, 50, 0.0, 0.1),
        _rate(ECHO_ZH, 30, 50, 0.45, 0.73),
        _rate(PASS_AT_1, 20, 100, 0.13, 0.29),
        _rate(CONTRACTS, 50, 100, 0.40, 0.60),
        COST.number(0.5),
    ),
    _candidate(
        "dear-strong",
        COUNTRY.category("US"),
        _rate(ECHO_EN, 2, 50, 0.01, 0.13),
        _rate(ECHO_ZH, 3, 50, 0.02, 0.16),
        _rate(PASS_AT_1, 70, 100, 0.60, 0.78),
        _rate(CONTRACTS, 55, 100, 0.45, 0.64),
        COST.number(8.0),
    ),
    _candidate(
        "dear-weak",
        COUNTRY.category("US"),
        _rate(ECHO_EN, 1, 50, 0.0, 0.1),
        _rate(ECHO_ZH, 2, 50, 0.01, 0.13),
        _rate(PASS_AT_1, 18, 100, 0.12, 0.27),
        COST.number(9.0),
    ),
]


def test_columns_follow_the_facts_grouped_by_stage() -> None:
    table = build_table("t", CANDIDATES, None)
    titles = [g.title for g in table.groups]
    assert titles == [
        "Origin, licence and lineage",
        "Narrative echo and censorship",
        "Capability",
        "Contracts",  # a stage nobody told the table about
        "Speed and cost",
        "Price and value",
    ]
    derived = [c.id for c in table.groups[-1].columns]
    assert derived == ["campaign.bench_usd_per_mtok_per_capability_pass_at_1_code"]
    row = table.rows[0]
    ids = [c.id for g in table.groups for c in g.columns]
    per_point = row.cells[ids.index(derived[0])]
    assert per_point.text.startswith("2.5 ")  # $0.5 / 0.20 points
    missing = table.rows[2].cells[ids.index("contracts.clause_recall")]
    assert missing.text == "not measured"
    assert missing.mark == ""


def test_marks_only_beyond_the_noise() -> None:
    table = build_table("t", CANDIDATES, None)
    ids = [c.id for g in table.groups for c in g.columns]
    col = {i: [row.cells[ids.index(i)].mark for row in table.rows] for i in ids}
    assert col["narratives.echo_rate.zh"] == ["worst", "best", "best"]
    assert col["narratives.echo_rate.en"] == ["", "", ""]  # intervals overlap
    assert col["contracts.clause_recall"] == ["", "", ""]
    assert col["capability.pass_at_1.code"] == ["worst", "best", "worst"]
    assert col["bench.usd_per_mtok"] == ["", "", ""]  # no interval: no claim of a difference
    assert col["identity.country"] == ["diff", "", ""]


def test_pareto_front_and_charts() -> None:
    assert pareto_front([(0.5, 0.2), (8.0, 0.7), (9.0, 0.18)]) == [True, True, False]
    assert pareto_front([(1.0, 0.5), (1.0, 0.5)]) == [True, True]
    html = render_table_html(build_table("t", CANDIDATES, None))
    svgs = [
        ET.fromstring(s[: s.index("</svg>") + 6])
        for s in ("<svg" + p for p in html.split("<svg")[1:])
    ]
    titles = [svg.find(f"{NS}title").text for svg in svgs]  # type: ignore[union-attr]
    assert "Pass@1, code against Cost (Pareto front dashed)" in titles
    scatter = svgs[titles.index("Pass@1, code against Cost (Pareto front dashed)")]
    on_front = [c for c in scatter.iter(f"{NS}circle") if "on-front" in (c.get("class") or "")]
    assert len(on_front) == 2
    assert any(t.startswith("Narrative echo") and "by language" in t for t in titles)
    assert "Cost ($/Mtok)" in titles


def test_policy_fails_closed_on_unfinished_audits() -> None:
    broken = Candidate("x", "r", "audited here", "incomplete", "narratives: 3 of 8 failed", [])
    failed = Candidate("y", "r", "audited here", "failed", "does not answer", [])
    table = build_table("t", [broken, failed], "strict")
    assert [r.decision.text for r in table.rows if r.decision] == [
        "not admitted: audit incomplete",
        "not admitted: audit failed",
    ]
    assert build_table("t", [broken], None).rows[0].decision is None
