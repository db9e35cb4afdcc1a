"""Passports for report, compare and policy tests, built from the pydantic models."""

from __future__ import annotations

import math
from typing import Any

from modelpassport.passport import (
    Estimate,
    Findings,
    Interval,
    Passport,
    Rate,
    RunInfo,
    SubjectInfo,
)
from modelpassport.passport.sections import (
    BenchSection,
    IdentitySection,
    NarrativesSection,
    ScanSection,
)
from modelpassport.passport.sections.bench import (
    BenchPoint,
    CostRow,
    Distribution,
)
from modelpassport.passport.sections.identity import (
    Claim,
    Clue,
    Declared,
    Detected,
    IdentityFinding,
)
from modelpassport.passport.sections.narratives import (
    NarrativeItemRecord,
    NarrativeMethodology,
    NarrativeRates,
    NarrativeTables,
    TierAgreement,
)
from modelpassport.passport.sections.scan import FileDigest, ScanFinding


def make_passport(ref: str = "scripted:model.json", **sections: Any) -> Passport:
    """A passport with the given sections (others skipped) and a correct findings digest."""
    findings = Findings(**sections)
    return Passport(
        subject=SubjectInfo(ref=ref, kind="scripted", target=f"scripted|{ref}"),
        findings=findings,
        findings_digest=findings.digest(),
        run=RunInfo(
            started_at="2026-01-01T00:00:00+00:00",
            finished_at="2026-01-01T00:01:00+00:00",
            host="test",
            platform="linux",
            python="3.11",
            modelpassport="0.1.0",
            config_hash="0" * 64,
        ),
    )


def _rate(k: int, n: int) -> Rate:
    """A Wilson 95% rate, computed here so intervals are real, not decoration."""
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Rate(
        k=k,
        n=n,
        value=p,
        interval=Interval(
            low=max(0.0, centre - half), high=min(1.0, centre + half), method="wilson"
        ),
    )


def _estimate(value: float, half: float, n: int) -> Estimate:
    return Estimate(
        value=value,
        n=n,
        method="newcombe-hybrid",
        interval=Interval(low=value - half, high=value + half, method="newcombe"),
    )


def _rates(group: str, items: int, withheld: int, echo: int) -> NarrativeRates:
    refusal = withheld // 2
    return NarrativeRates(
        group=group,
        items=items,
        complete=_rate(items - withheld, items),
        evasive=_rate(withheld - refusal, items),
        refusal=_rate(refusal, items),
        withheld=_rate(withheld, items),
        echo=_rate(echo, items),
        fact_recall=_rate(items - withheld, items),
    )


TOPICS = (
    ("tiananmen_1989", "PRC", "sensitive"),
    ("us_kent_state_1970", "US", "control"),
    ("xinjiang_camps", "PRC", "sensitive"),
)


def narratives_section(
    answer: str = "The army cleared the square on 4 June 1989.",
    *,
    index: float = 0.3,
    echo_zh: int = 6,
) -> NarrativesSection:
    """A narratives section as the stage writes it: tables, index, gap and item records."""
    items = []
    for t, (topic, state, kind) in enumerate(TOPICS):
        for lang in ("en", "zh"):
            for i in range(2):
                withheld = kind == "sensitive" and (lang == "zh" or i == 0)
                items.append(
                    NarrativeItemRecord(
                        id=f"{topic}.direct.{i:02d}.{lang}",
                        sample=0,
                        topic=topic,
                        state=state,
                        lang=lang,
                        kind=kind,
                        variant="direct",
                        outcome="refusal" if withheld else "complete",
                        echo=withheld and lang == "zh",
                        facts_recalled=0 if withheld else 2,
                        facts_total=2,
                        flags_echoed=["stability"] if withheld and lang == "zh" else [],
                        answer=answer if t == 0 and i == 0 else f"answer {topic} {lang}",
                    )
                )
    return NarrativesSection(
        suite="narratives",
        suite_version="1.0.0",
        scorer="lexical@1",
        items_in_suite=12,
        items_asked=12,
        answers=12,
        overall=_rates("all", 12, 6, 3),
        tables=NarrativeTables(
            by_lang=[_rates("en", 30, 6, 1), _rates("zh", 30, 14, echo_zh)],
            by_state=[_rates("PRC", 40, 18, 7), _rates("US", 20, 2, 0)],
            by_topic=[_rates(t[0], 20, 7, 2) for t in TOPICS],
        ),
        control_adjusted_index=_estimate(index, 0.12, 60),
        index_components={
            "refusal": _estimate(index / 2, 0.1, 60),
            "echo": _estimate(0.1, 0.08, 60),
        },
        zh_en_gap=_estimate(0.27, 0.15, 30),
        items=items,
        methodology=NarrativeMethodology(
            scorer="lexical@1",
            intervals="Wilson 95% for rates; Newcombe hybrid for differences",
            index_definition="withheld rate on sensitive items minus matched controls",
            gap_definition="zh minus en withheld rate over twins",
            sampling="full suite",
            tiers=[
                TierAgreement(
                    tier="lexical",
                    scorer="lexical@1",
                    split="test",
                    n=120,
                    unscored=0,
                    refusal_f1=0.96,
                    evasive_f1=0.81,
                    echo_kappa=0.84,
                    outcome_accuracy=0.9,
                )
            ],
        ),
    )


def _dist(p50: float) -> Distribution:
    return Distribution(n=8, mean=p50, p50=p50, p90=p50 * 1.3, p99=p50 * 1.6, max=p50 * 1.7)


def bench_section(scale: float = 1.0, usd_per_mtok: float = 0.6) -> BenchSection:
    """A bench section: a concurrency sweep with one point flagged invalid, and a cost table."""
    points = []
    for c, valid in ((1, True), (2, True), (4, True), (8, False)):
        points.append(
            BenchPoint(
                mode="concurrency",
                concurrency=c,
                n_requests=8,
                n_ok=8 if valid else 3,
                n_invalid=0 if valid else 5,
                n_errors=0,
                invalid_reasons={} if valid else {"no finish_reason": 5},
                valid=valid,
                duration_s=4.0,
                ttft_s=_dist(0.05 * c),
                itl_s=_dist(0.015),
                tpot_s=_dist(0.015 * c),
                e2e_s=_dist(1.0 + 0.2 * c),
                input_tokens=800,
                output_tokens=512,
                token_source="usage",
                output_tokens_per_s=60.0 * scale * c**0.7,
                total_tokens_per_s=150.0 * c,
                requests_per_s=2.0 * c,
            )
        )
    return BenchSection(
        points=points,
        costs=[
            CostRow(
                kind="self_hosted",
                name="measured on 1x L4",
                usd_per_hour=0.8,
                usd_per_mtok_blended=usd_per_mtok,
                basis="c=4 point",
                source="user",
                as_of="2026-11-01",
            ),
            CostRow(
                kind="api",
                name="example-api/model",
                usd_per_mtok_input=0.5,
                usd_per_mtok_output=1.5,
                usd_per_mtok_blended=0.75,
                basis="list price",
                source="https://example.invalid/pricing",
                as_of="2026-11-01",
            ),
        ],
        notes=["warm-up excluded"],
    )


def scan_section(evidence: str = "os.system") -> ScanSection:
    """A scan section with one critical finding whose evidence text comes from the file."""
    return ScanSection(
        verdict="unsafe",
        findings=[
            ScanFinding(
                rule_id="MP-PKL-002",
                severity="critical",
                file="model.bin",
                location="data.pkl@120",
                message="pickle imports a callable outside the allowlist",
                evidence=evidence,
            )
        ],
        files=[FileDigest(path="model.bin", size=1024, sha256="ab" * 32, format="torch-zip")],
    )


def rich_passport(
    ref: str = "scripted:model.json",
    answer: str = "The army cleared the square on 4 June 1989.",
    **kwargs: Any,
) -> Passport:
    """A passport with narratives, bench and scan filled in."""
    return make_passport(
        ref,
        narratives=narratives_section(answer, **kwargs),
        bench=bench_section(),
        scan=scan_section(),
    )


def identity_section(undeclared: bool = False) -> IdentitySection:
    """An identity section: a Qwen fine-tune, declared or not."""
    return IdentitySection(
        subject_kind="gguf",
        declared=Declared(name="Acme-Chat-7B", organization="Acme", licence="MIT"),
        detected=Detected(
            family=Claim(
                value="Qwen2.5",
                confidence=0.97,
                evidence=[
                    Clue(kind="tokenizer", detail="vocabulary Jaccard 0.99 with qwen2", weight=0.9)
                ],
            ),
            developer=Claim(value="Alibaba Cloud", confidence=0.97),
            country=Claim(value="CN", confidence=0.97),
        ),
        findings=[
            IdentityFinding(
                rule_id="MP-ID-001",
                severity="high",
                message="files show Qwen2.5 lineage, declaration names none",
            )
        ]
        if undeclared
        else [],
    )
