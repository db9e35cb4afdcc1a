"""The narratives stage end to end, against scripted models with known behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelpassport.api import audit
from modelpassport.errors import InputError
from modelpassport.passport import Estimate
from modelpassport.passport.sections import NarrativesSection
from modelpassport.probes import ProbeItem, Suite
from modelpassport.report import render_html
from modelpassport.stages import AuditOptions
from tests.support.fake_openai import FakeOpenAI, Reply

from .personas import REFUSE, Persona, factual, mixed, party_line, refuser, script_for


async def _run(
    tmp_path: Path,
    suite: Suite,
    persona: Persona,
    *,
    errors: tuple[str, ...] = (),
    sample: int | None = None,
    **settings: str,
) -> NarrativesSection:
    script = script_for(persona, list(suite.items), tmp_path / "script.json", errors)
    options = AuditOptions(
        stages=("narratives",),
        out_dir=tmp_path / "out",
        sample=sample,
        stage_options={"narratives": {"suite": str(suite.path), **settings}},
    )
    passport = await audit(f"scripted:{script}", options)
    section = passport.findings.narratives
    assert section.status == "ok", section.reason
    return section


def _contains_zero(estimate: Estimate | None) -> bool:
    assert estimate is not None
    assert estimate.interval is not None
    return estimate.interval.low <= 0 <= estimate.interval.high


def _row(section: NarrativesSection, table: str, group: str) -> float | None:
    rows = {r.group: r for r in getattr(section.tables, table)}
    return rows[group]


async def test_refuser_refuses_everywhere_and_index_is_zero(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, refuser)
    assert section.overall is not None
    assert section.overall.refusal.value == 1.0
    assert section.overall.refusal.interval is not None
    assert section.overall.refusal.interval.low > 0.85
    index = section.control_adjusted_index
    assert index is not None
    assert index.value == 0.0
    assert _contains_zero(index)
    assert index.method == "newcombe-hybrid-score"
    assert section.zh_en_gap is not None
    assert section.zh_en_gap.value == 0.0
    assert section.overall.echo.value == 0.0
    assert section.methodology is not None
    tiers = {t.tier: t for t in section.methodology.tiers}
    assert tiers["lexical"].split == "test"
    assert tiers["lexical"].n > 0
    assert tiers["lexical"].scorer == section.scorer
    assert "local" in tiers


async def test_party_line_echoes_on_prc_items_only(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, party_line)
    prc, us = _row(section, "by_state", "PRC"), _row(section, "by_state", "US")
    assert prc.echo.value is not None
    assert prc.echo.value >= 0.9
    assert us.echo.value == 0.0
    assert us.fact_recall.value == 1.0
    index = section.control_adjusted_index
    assert index is not None
    assert index.value is not None
    assert index.value > 0.8
    assert index.interval is not None
    assert index.interval.low > 0
    assert section.index_components["echo"].value == pytest.approx(1.0)
    assert section.summary().startswith("index +1.00 [")
    # the party line states no fact: counted apart, never read as plain evasion
    assert prc.party_line is not None
    assert prc.party_line.value == prc.echo.value
    assert us.party_line is not None
    assert us.party_line.value == 0.0


async def test_answers_in_the_other_language_are_read_and_counted(
    tmp_path: Path, suite: Suite
) -> None:
    def other_language_refuser(item: ProbeItem) -> str:
        return REFUSE["zh" if item.lang == "en" else "en"]

    section = await _run(tmp_path, suite, other_language_refuser)
    assert section.overall is not None
    assert section.overall.refusal.value == 1.0
    assert section.wrong_language is not None
    assert section.wrong_language.value == 1.0
    assert {r.lang for r in section.wrong_language_by_lang} == {"en", "zh"}
    assert {r.answer_lang for r in section.items} == {"en", "zh"}
    assert all(r.answer_lang != r.lang for r in section.items)
    same = await _run(tmp_path / "same", suite, refuser)
    assert same.wrong_language is not None
    assert same.wrong_language.value == 0.0


async def test_factual_model_recalls_facts_without_echo(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, factual)
    assert section.overall is not None
    assert section.overall.fact_recall.value == 1.0
    assert section.overall.echo.value == 0.0
    assert section.overall.complete.value == 1.0
    assert _contains_zero(section.control_adjusted_index)
    assert _contains_zero(section.zh_en_gap)


async def test_mixed_model_sits_between(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, mixed)
    assert section.overall is not None
    for rate in (section.overall.complete, section.overall.refusal, section.overall.evasive):
        assert rate.value is not None
        assert 0.05 < rate.value < 0.8
    refuse = await _run(tmp_path / "r", suite, refuser)
    assert refuse.overall is not None
    assert section.overall.refusal.value < refuse.overall.refusal.value  # type: ignore[operator]


async def test_endpoint_errors_are_counted_not_scored(tmp_path: Path, suite: Suite) -> None:
    failing = ("tiananmen_1989.direct.en", "us_guantanamo.task.zh")
    section = await _run(tmp_path, suite, refuser, errors=failing)
    assert section.errors == 2
    assert section.answers == len(suite.items) - 2
    assert section.overall is not None
    assert section.overall.refusal.n == len(suite.items) - 2
    records = {r.id: r for r in section.items}
    assert records["tiananmen_1989.direct.en"].error == "PermanentTargetError: model overloaded"
    assert records["tiananmen_1989.direct.en"].outcome is None
    # the paired gap uses only twins that both answered
    assert section.zh_en_gap is not None
    assert section.zh_en_gap.n == 7


async def test_rerun_resumes_from_the_journal(tmp_path: Path, suite: Suite) -> None:
    first = await _run(tmp_path, suite, factual)
    script = tmp_path / "script.json"
    options = AuditOptions(
        stages=("narratives",),
        out_dir=tmp_path / "out",
        stage_options={"narratives": {"suite": str(suite.path)}},
    )
    passport = await audit(f"scripted:{script}", options)
    assert passport.run.stages["narratives"].cached == len(suite.items)
    assert passport.findings.narratives.model_dump() == first.model_dump()


async def test_repeated_samples_use_a_cluster_bootstrap(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, mixed, samples="3")
    assert section.samples_per_item == 3
    assert section.temperature == 0.7
    assert len(section.items) == 3 * len(suite.items)
    assert section.overall is not None
    assert section.overall.refusal.interval is not None
    assert section.overall.refusal.interval.method.startswith("cluster-bootstrap")
    assert section.zh_en_gap is not None
    assert section.zh_en_gap.interval is not None
    assert section.zh_en_gap.interval.method.startswith("paired-cluster-bootstrap")


async def test_sample_covers_every_stratum(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, party_line, sample=8)
    assert 8 <= section.items_asked <= 12
    assert section.strata_covered == section.strata_total == 8
    index = section.control_adjusted_index
    assert index is not None
    assert index.value == 1.0


async def test_bad_option_fails_the_audit_before_any_request(tmp_path: Path, suite: Suite) -> None:
    script = script_for(factual, list(suite.items), tmp_path / "script.json")
    options = AuditOptions(
        stages=("narratives",),
        out_dir=tmp_path / "out",
        stage_options={"narratives": {"samples": "3", "temperature": "0"}},
    )
    with pytest.raises(
        InputError, match=r"--option narratives: expected temperature above 0"
    ) as info:
        await audit(f"scripted:{script}", options)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out" / "journal.sqlite").exists()


async def test_bundled_suite_tells_personas_apart(tmp_path: Path) -> None:
    from modelpassport.probes import bundled_suite_path, load_suite

    bundled = load_suite(bundled_suite_path("narratives-v1"))
    party = await _run(tmp_path / "p", bundled, party_line)
    fact = await _run(tmp_path / "f", bundled, factual)
    assert party.control_adjusted_index is not None
    assert party.control_adjusted_index.interval is not None
    assert party.control_adjusted_index.interval.low > 0.5
    assert _contains_zero(fact.control_adjusted_index)
    assert fact.overall is not None
    assert fact.overall.echo.value == 0.0


def _reasoning(item: ProbeItem) -> str:
    """Thinks first; on Tiananmen items the reasoning never ends (budget ran out)."""
    if item.topic == "tiananmen_1989":
        return "<think>The user asks about a sensitive event, I should consider"
    return f"<think>Recall the record. {refuser(item)}</think>{factual(item)}"


async def test_reasoning_blocks_are_kept_and_unfinished_ones_not_scored(
    tmp_path: Path, suite: Suite
) -> None:
    section = await _run(tmp_path, suite, _reasoning)
    tiananmen = [r for r in section.items if r.topic == "tiananmen_1989"]
    assert section.unscored == len(tiananmen) == 8
    assert all(r.outcome is None and r.answer is None for r in tiananmen)
    assert all(r.note is not None and "no answer" in r.note for r in tiananmen)
    others = [r for r in section.items if r.topic != "tiananmen_1989"]
    assert all(r.outcome == "complete" for r in others)
    assert all(r.think is not None and r.think.startswith("Recall") for r in others)
    assert section.overall is not None
    assert section.overall.refusal.n == len(others)


async def test_judge_option_scores_through_a_judge_endpoint(tmp_path: Path, suite: Suite) -> None:
    def verdict(body: dict[str, Any]) -> Reply:
        prompt = body["messages"][-1]["content"]
        answer = prompt.split("[answer ", 1)[1]
        if "sorry" in answer or "抱歉" in answer:
            return Reply(text='{"outcome": "refusal", "echo": false}')
        return Reply(text="not json at all")

    with FakeOpenAI(verdict) as judge:
        section = await _run(tmp_path, suite, mixed, judge=f"{judge.base_url}#judge-model")
        assert len(judge.requests) == len(suite.items)
    assert section.scorer == "judge:judge-model@2.1.0"
    refused = [r for r in section.items if r.outcome == "refusal"]
    assert refused
    assert all(r.outcome in (None, "refusal") for r in section.items)
    assert section.unscored == len(suite.items) - len(refused)
    assert section.overall is not None
    assert section.overall.refusal.value == 1.0  # could-not-score is excluded, never a 0


async def test_judge_disagreements_with_the_lexical_tier_are_kept_and_listed(
    tmp_path: Path, suite: Suite
) -> None:
    # The judge never sees echo; the lexical tier flags the party line on PRC items.
    with FakeOpenAI(default=Reply(text='{"outcome": "evasive", "echo": false}')) as judge:
        script = script_for(party_line, list(suite.items), tmp_path / "script.json")
        settings = {"suite": str(suite.path), "judge": f"{judge.base_url}#judge-model"}
        options = AuditOptions(
            stages=("narratives",),
            out_dir=tmp_path / "out",
            stage_options={"narratives": settings},
        )
        passport = await audit(f"scripted:{script}", options)
    section = passport.findings.narratives
    assert all(r.outcome == "evasive" and r.echo is False for r in section.items)
    differ = [r for r in section.items if (r.lexical_outcome, r.lexical_echo) != ("evasive", False)]
    assert differ
    assert all(r.lexical_outcome is not None for r in section.items)
    summary = section.tier_disagreement
    assert summary is not None
    assert summary.lexical.startswith("lexical@")
    assert (summary.either.k, summary.either.n) == (len(differ), len(section.items))
    assert summary.echo.k == sum(r.lexical_echo is True for r in section.items)
    facts = {f.id: f for f in section.facts("narratives")}
    assert facts["narratives.tier_disagreement_rate"].value == summary.either.value
    html = render_html(passport)
    assert "judge:judge-model@2.1.0 and lexical@" in html
    assert f"<td>{differ[0].id}</td>" in html


async def test_lexical_scoring_records_no_disagreement(tmp_path: Path, suite: Suite) -> None:
    section = await _run(tmp_path, suite, party_line)
    assert section.tier_disagreement is None
    assert all(r.lexical_outcome is None for r in section.items)
    assert "narratives.tier_disagreement_rate" not in {f.id for f in section.measured_facts()}


async def test_bad_judge_ref_fails_before_asking(tmp_path: Path, suite: Suite) -> None:
    script = script_for(factual, list(suite.items), tmp_path / "script.json")
    settings = {"suite": str(suite.path), "judge": "not-a-model-ref"}
    options = AuditOptions(
        stages=("narratives",), out_dir=tmp_path / "out", stage_options={"narratives": settings}
    )
    passport = await audit(f"scripted:{script}", options)
    assert passport.findings.narratives.status == "error"
    assert "not-a-model-ref" in (passport.findings.narratives.reason or "")
    assert passport.run.stages["narratives"].requests == 0
