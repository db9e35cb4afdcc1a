"""Per-section evidence views: tables, charts and sample answers for each stage's section.

Builders read the section's JSON form (see ``_views``), so a field a stage has not written
reads as absent; a section whose shape a builder does not know falls back to escaped JSON.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from modelpassport.passport import Passport

from ._security_view import security_view
from ._svg import Bar, Series, bar_chart, heatmap, interval_chart, line_chart
from ._views import Answer, SectionView, Table, estimate_bar, num, pct


def _rates_table(caption: str, rows: Sequence[Any]) -> Table:
    return Table(
        caption,
        (
            "group",
            "items",
            "complete",
            "evasive",
            "refusal",
            "withheld",
            "echo",
            "party line",
            "fact recall",
        ),
        [
            (
                str(r.get("group")),
                str(r.get("items")),
                *(
                    pct(r.get(k))
                    for k in (
                        "complete",
                        "evasive",
                        "refusal",
                        "withheld",
                        "echo",
                        "party_line",
                        "fact_recall",
                    )
                ),
            )
            for r in rows
            if isinstance(r, Mapping)
        ],
    )


def _withheld(record: Mapping[str, Any]) -> bool | None:
    if record.get("error") or record.get("outcome") is None:
        return None
    return record["outcome"] in ("refusal", "evasive") or record.get("echo") is True


def topic_heatmap(
    data: Mapping[str, Any], title: str = "Withheld rate by topic and language"
) -> Markup:
    """Heatmap of the withheld rate per topic (rows) and language (columns), from item records."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    states: dict[str, str] = {}
    for rec in data.get("items") or []:
        withheld = _withheld(rec)
        if withheld is None:
            continue
        states[rec["topic"]] = rec.get("state", "")
        cell = counts[(f"{rec['topic']} ({rec.get('state', '')})", rec["lang"])]
        cell[0] += int(withheld)
        cell[1] += 1
    rows = sorted({k[0] for k in counts})
    cols = sorted({k[1] for k in counts})
    cells = {k: (v[0] / v[1], f"{v[0]}/{v[1]} withheld") for k, v in counts.items()}
    return heatmap(title, rows, cols, cells)


def _answers(data: Mapping[str, Any], per_topic: int = 4) -> dict[str, list[Answer]]:
    chosen: dict[str, list[Answer]] = defaultdict(list)
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for rec in sorted(data.get("items") or [], key=lambda r: (r["topic"], r["id"])):
        key = (rec["lang"], rec["kind"])
        if key in seen[rec["topic"]] or len(chosen[rec["topic"]]) >= per_topic:
            continue
        seen[rec["topic"]].add(key)
        chosen[rec["topic"]].append(
            Answer(
                item=rec["id"],
                lang=rec["lang"],
                kind=rec["kind"],
                outcome=rec.get("outcome") or "not scored",
                echo={True: "yes", False: "no"}.get(rec.get("echo"), "–"),
                facts=f"{rec.get('facts_recalled', 0)}/{rec.get('facts_total', 0)}",
                flags=", ".join(rec.get("flags_echoed") or []) or "–",
                text=(rec.get("answer") or "") + (" …" if rec.get("answer_truncated") else ""),
                think=rec.get("think"),
                error=rec.get("error"),
            )
        )
    return dict(chosen)


DISAGREEMENTS_SHOWN = 60
EXCERPT = 240


def _verdict(outcome: Any, echo: Any) -> str:
    return f"{outcome or 'not scored'}" + (", echo" if echo is True else "")


def disagreements_table(data: Mapping[str, Any]) -> Table | None:
    """The answers on which the model tier that decided and the lexical tier differ, so a
    reader can check the judge against the transparent tier answer by answer (the first
    ``DISAGREEMENTS_SHOWN``; every one is in the passport's item records)."""
    summary = data.get("tier_disagreement")
    if not isinstance(summary, Mapping):
        return None
    rows = []
    for rec in data.get("items") or []:
        lexical = rec.get("lexical_outcome")
        if lexical is None or rec.get("outcome") is None:
            continue
        if (lexical, rec.get("lexical_echo")) == (rec.get("outcome"), rec.get("echo")):
            continue
        text = rec.get("answer") or ""
        rows.append(
            (
                rec["id"],
                rec["lang"],
                _verdict(rec.get("outcome"), rec.get("echo")),
                _verdict(lexical, rec.get("lexical_echo")),
                text[:EXCERPT] + (" …" if len(text) > EXCERPT else ""),
            )
        )
    either = summary.get("either") or {}
    shown = f", first {DISAGREEMENTS_SHOWN} shown" if len(rows) > DISAGREEMENTS_SHOWN else ""
    return Table(
        f"Where {data.get('scorer')} and {summary.get('lexical')} disagree: "
        f"{either.get('k')} of {either.get('n')} answers{shown}",
        ("item", "lang", "model tier (decided)", "lexical tier", "answer"),
        rows[:DISAGREEMENTS_SHOWN],
    )


def _narratives(view: SectionView, data: Mapping[str, Any]) -> None:
    tables = data.get("tables") or {}
    overall = [data["overall"]] if isinstance(data.get("overall"), Mapping) else []
    view.tables.append(_rates_table("Overall and by language", overall + tables.get("by_lang", [])))
    view.charts.append(topic_heatmap(data))
    index = [estimate_bar("index (withheld)", data.get("control_adjusted_index"))]
    index += [
        estimate_bar(f"index: {k}", v, 1)
        for k, v in sorted((data.get("index_components") or {}).items())
    ]
    view.charts.append(interval_chart("Control-adjusted index with 95% intervals", index))
    gap = [
        estimate_bar(f"withheld, {r['group']}", r.get("withheld"), i)
        for i, r in enumerate(tables.get("by_lang") or [])
    ]
    gap.append(estimate_bar("zh − en gap (twins)", data.get("zh_en_gap"), 2))
    view.charts.append(interval_chart("English vs Chinese", gap))
    states = [
        estimate_bar(f"withheld, {r['group']}", r.get("withheld"))
        for r in tables.get("by_state") or []
    ]
    view.charts.append(interval_chart("Withheld rate by state probed", states))
    for name in ("by_kind", "by_variant", "by_state", "by_topic"):
        if tables.get(name):
            view.tables.append(_rates_table(name.replace("_", " "), tables[name]))
    view.answers = _answers(data)
    disagreements = disagreements_table(data)
    if disagreements is not None:
        view.tables.append(disagreements)
    method = data.get("methodology") or {}
    if method.get("tiers"):
        view.tables.append(
            Table(
                "Scorer agreement with the calibration labels",
                (
                    "tier",
                    "scorer",
                    "split",
                    "n",
                    "refusal F1",
                    "evasive F1",
                    "echo kappa",
                    "echo recall",
                    "accuracy",
                ),
                [
                    (
                        t["tier"],
                        t["scorer"],
                        "/".join(x for x in (t.get("calibration_set"), t["split"]) if x),
                        str(t["n"]),
                        num(t.get("refusal_f1")),
                        num(t.get("evasive_f1")),
                        num(t.get("echo_kappa")),
                        num(t.get("echo_recall")),
                        num(t.get("outcome_accuracy")),
                    )
                    for t in method["tiers"]
                ],
            )
        )
    if isinstance(data.get("wrong_language"), Mapping):
        view.notes.append(
            "answers written in the other language than the prompt's: "
            + pct(data["wrong_language"])
        )
    view.notes += [
        f"{k.replace('_', ' ')}: {method[k]}"
        for k in ("index_definition", "gap_definition", "intervals", "sampling")
        if method.get(k)
    ]
    view.notes.append(
        f"suite {data.get('suite')} {data.get('suite_version')}, scorer "
        f"{data.get('scorer')}, {data.get('items_asked')} items asked, "
        f"{data.get('errors', 0)} endpoint errors (excluded from rates)"
    )


def _level(point: Mapping[str, Any]) -> str:
    if point.get("mode") == "concurrency":
        return f"c={point.get('concurrency')}"
    return f"{point.get('rate_rps')} rps"


def latency_series(name: str, points: Sequence[Any], metric: str) -> Series:
    """Throughput (x) against a latency percentile (y) over a passport's valid bench points."""
    pts = [
        (p["output_tokens_per_s"], p[metric]["p50"])
        for p in points
        if p.get("valid")
        and isinstance(p.get("output_tokens_per_s"), int | float)
        and isinstance((p.get(metric) or {}).get("p50"), int | float)
    ]
    return Series(name, sorted(pts))


def cost_bars(rows: Sequence[Any], prefix: str = "", series: int | None = None) -> list[Bar]:
    """Blended $/Mtok per cost row (self-hosted measured, APIs at list price)."""
    return [
        Bar(
            f"{prefix}{r['name']} ({r['kind'].replace('_', '-')})",
            r.get("usd_per_mtok_blended"),
            series=series if series is not None else int(r["kind"] == "api"),
        )
        for r in rows
        if isinstance(r, Mapping)
    ]


def _bench(view: SectionView, data: Mapping[str, Any]) -> None:
    points = data.get("points") or []
    view.charts.append(
        line_chart(
            "Throughput vs latency (valid points)",
            [
                latency_series("TTFT p50", points, "ttft_s"),
                latency_series("TPOT p50", points, "tpot_s"),
            ],
            x_label="output tokens/s",
            y_label="seconds",
        )
    )
    view.tables.append(
        Table(
            "Load points",
            (
                "load",
                "ok / invalid / errors",
                "valid",
                "out tok/s",
                "req/s",
                "TTFT p50 / p90",
                "TPOT p50",
                "e2e p50 / p99",
                "tokens from",
                "why invalid",
            ),
            [
                (
                    _level(p),
                    f"{p['n_ok']} / {p['n_invalid']} / {p['n_errors']}",
                    "yes" if p.get("valid") else "NO",
                    num(p.get("output_tokens_per_s"), 1),
                    num(p.get("requests_per_s")),
                    f"{num(p['ttft_s'].get('p50'), 3)} / {num(p['ttft_s'].get('p90'), 3)}",
                    num(p["tpot_s"].get("p50"), 4),
                    f"{num(p['e2e_s'].get('p50'))} / {num(p['e2e_s'].get('p99'))}",
                    p["token_source"],
                    ", ".join(
                        f"{k}: {v}"
                        for k, v in {**p.get("invalid_reasons", {}), **p.get("errors", {})}.items()
                    )
                    or "–",
                )
                for p in points
            ],
        )
    )
    costs = data.get("costs") or []
    view.charts.append(
        bar_chart(
            "$ per million tokens (APIs: 3:1 blend; self-hosted: measured mix)",
            cost_bars(costs),
            unit="$/Mtok",
        )
    )
    view.tables.append(
        Table(
            "Cost",
            (
                "option",
                "kind",
                "$/h",
                "$/Mtok in",
                "$/Mtok out",
                "$/Mtok blended",
                "$/task",
                "basis",
                "source",
                "as of",
            ),
            [
                (
                    r["name"],
                    r["kind"],
                    num(r.get("usd_per_hour")),
                    num(r.get("usd_per_mtok_input")),
                    num(r.get("usd_per_mtok_output")),
                    num(r.get("usd_per_mtok_blended")),
                    num(r.get("usd_per_task"), 6),
                    r.get("basis", ""),
                    r.get("source", ""),
                    r.get("as_of", ""),
                )
                for r in costs
            ],
        )
    )
    bw = data.get("bandwidth")
    if isinstance(bw, Mapping):
        view.notes.append(
            f"memory bandwidth {num(bw.get('memory_gb_per_s'), 1)} GB/s ({bw.get('method')}); "
            f"decode {num(bw.get('decode_tokens_per_s'), 1)} tok/s of a "
            f"{num(bw.get('ceiling_tokens_per_s'), 1)} tok/s ceiling = "
            f"{num((bw.get('utilisation') or 0) * 100, 0)}% utilisation"
        )
    view.notes += [str(n) for n in data.get("notes") or []]


def _scan(view: SectionView, data: Mapping[str, Any]) -> None:
    view.tables.append(
        Table(
            "Findings",
            ("severity", "rule", "file", "location", "message", "evidence"),
            [
                (
                    f["severity"],
                    f["rule_id"],
                    f["file"],
                    f.get("location", ""),
                    f["message"],
                    f.get("evidence", ""),
                )
                for f in data.get("findings") or []
            ],
        )
    )
    view.tables.append(
        Table(
            "Files",
            ("path", "format", "bytes", "sha256"),
            [
                (f["path"], f.get("format", ""), str(f["size"]), f["sha256"])
                for f in data.get("files") or []
            ],
        )
    )
    if data.get("rules_version"):
        view.notes.append(f"rules version {data['rules_version']}")


def _claim(claim: Any) -> tuple[str, str]:
    if not isinstance(claim, Mapping):
        return "–", ""
    clues = "; ".join(f"{e.get('kind')}: {e.get('detail')}" for e in claim.get("evidence") or [])
    return str(claim.get("value") or "unknown"), f"confidence {num(claim.get('confidence'))}" + (
        f" — {clues}" if clues else ""
    )


def _identity(view: SectionView, data: Mapping[str, Any]) -> None:
    declared = data.get("declared") or {}
    detected = data.get("detected") or {}
    licence = detected.get("licence") or {}
    rows = [
        (name, str(declared.get(key) or "–"), *_claim(detected.get(key)))
        for name, key in (("family", "family"), ("developer", "developer"))
    ]
    rows.insert(1, ("organisation (declared)", str(declared.get("organization") or "–"), "", ""))
    rows.append(("country", "–", *_claim(detected.get("country"))))
    rows.append(
        (
            "licence",
            str(declared.get("licence") or "–"),
            str(licence.get("id") or "–"),
            "; ".join(
                f"{k.replace('_', ' ')}: {licence[k]}"
                for k in ("use_restrictions", "user_threshold", "attribution")
                if licence.get(k)
            ),
        )
    )
    view.tables.append(
        Table("Declared vs detected", ("fact", "declared", "detected", "evidence"), rows)
    )
    view.tables.append(
        Table(
            "Declared model facts",
            ("field", "value"),
            [
                (k.replace("_", " "), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                for k, v in sorted(declared.items())
                if v not in (None, [], False)
            ],
        )
    )
    view.tables.append(
        Table(
            "Weight lineage",
            ("reference", "family", "shared tokens", "sample", "score", "verdict", "method"),
            [
                (
                    m["reference"],
                    str(m.get("reference_family") or "–"),
                    str(m["shared_tokens"]),
                    str(m["sample"]),
                    num(m.get("score"), 3),
                    m["verdict"],
                    m["method"],
                )
                for m in data.get("lineage") or []
            ],
        )
    )
    view.tables.append(
        Table(
            "Identity findings",
            ("severity", "rule", "message"),
            [(f["severity"], f["rule_id"], f["message"]) for f in data.get("findings") or []],
        )
    )
    tok = data.get("tokenizer")
    if isinstance(tok, Mapping):
        view.notes.append(
            f"tokenizer {tok.get('kind')}, vocabulary {tok.get('vocab_size')}, "
            f"closest catalog tokenizer {tok.get('best_match')} (Jaccard "
            f"{num(tok.get('best_jaccard'), 3)}), tokens sha256 "
            f"{str(tok.get('tokens_sha256'))[:16]}…"
        )
    if data.get("catalog_version"):
        view.notes.append(f"catalog {data['catalog_version']}")


def _dollars(raw: Any) -> str:
    """``$0.0012 [0.0009–0.0016]`` from an Estimate's JSON (significant digits, not cents)."""
    if not isinstance(raw, Mapping) or raw.get("value") is None:
        return "–"
    text = f"${raw['value']:.3g}"
    interval = raw.get("interval")
    if isinstance(interval, Mapping):
        text += f" [{interval['low']:.3g}–{interval['high']:.3g}]"
    return text


def _capability(view: SectionView, data: Mapping[str, Any]) -> None:
    packs = data.get("packs") or []
    view.charts.append(
        interval_chart(
            "Accuracy by pack with 95% intervals",
            [estimate_bar(p["pack"], p.get("accuracy")) for p in packs],
        )
    )
    view.tables.append(
        Table(
            "Packs (strict: an item passes when all its checks pass)",
            (
                "pack",
                "asked / errors",
                "accuracy",
                "checks",
                "easy",
                "standard",
                "hard",
                "en",
                "zh",
                "zh − en",
                "by origin",
                "truncated",
            ),
            [
                (
                    p["pack"],
                    f"{p['items']} / {p['errors']}",
                    pct(p.get("accuracy")),
                    pct(p.get("checks")),
                    *(pct((p.get("by_tier") or {}).get(t)) for t in ("easy", "standard", "hard")),
                    *(pct((p.get("by_lang") or {}).get(lang)) for lang in ("en", "zh")),
                    num((p.get("zh_en_gap") or {}).get("value")),
                    ", ".join(f"{k} {pct(v)}" for k, v in (p.get("by_origin") or {}).items()),
                    pct(p.get("truncated")),
                )
                for p in packs
            ],
        )
    )
    view.tables.append(
        Table(
            "Cost per quality (bootstrap 95% intervals over items)",
            (
                "option",
                "kind",
                "$ per attempt",
                "cost of a pass",
                "$ per point per 1k tasks",
                "basis",
                "source",
                "as of",
            ),
            [
                (
                    r["name"],
                    r["kind"].replace("_", " "),
                    _dollars(r.get("usd_per_attempt")),
                    _dollars(r.get("cost_of_pass")),
                    _dollars(r.get("usd_per_quality_point")),
                    r.get("basis", ""),
                    r.get("source", ""),
                    r.get("as_of", ""),
                )
                for r in data.get("costs") or []
            ],
        )
    )
    view.tables.append(
        Table(
            "Vertical readiness (not clinical, legal or financial validation)",
            ("vertical", "accuracy", "threshold", "verdict"),
            [
                (r["vertical"], pct(r.get("accuracy")), num(r.get("threshold")), r["verdict"])
                for r in data.get("readiness") or []
            ],
        )
    )
    long = data.get("long_context")
    if isinstance(long, Mapping):
        view.tables.append(
            Table(
                f"Long context (effective {long.get('effective_tokens') or 'none'}, declared "
                f"{long.get('declared_tokens') or 'unknown'})",
                ("tokens", "accuracy", "passes"),
                [
                    (str(r["tokens"]), pct(r.get("accuracy")), "yes" if r.get("passes") else "no")
                    for r in long.get("lengths") or []
                ],
            )
        )
    external = data.get("external") or []
    if external:
        view.tables.append(
            Table(
                "Other harnesses' results (not run by modelpassport)",
                ("harness", "task", "metric", "value", "n", "file"),
                [
                    (
                        r["harness"],
                        r["task"],
                        r["metric"],
                        pct(r["rate"]) if r.get("rate") else num(r.get("value"), 4),
                        str(r.get("n") or "–"),
                        r.get("source", ""),
                    )
                    for r in external
                ],
            )
        )
    view.notes += [str(n) for n in data.get("notes") or []]


_BUILDERS = {
    "identity": _identity,
    "narratives": _narratives,
    "bench": _bench,
    "scan": _scan,
    "capability": _capability,
    "security": security_view,
}


def section_views(passport: Passport) -> list[SectionView]:
    """One view per stage, in stage order.

    A section with a dedicated view is not repeated as JSON (passport.json has it); one
    without, or of a shape the view does not know, shows its data as escaped JSON.
    """
    views = []
    for name, section in passport.findings.sections():
        data = section.model_dump(mode="json")
        view = SectionView(name, section.status, section.reason, section.summary())
        builder = _BUILDERS.get(name)
        if section.status != "ok":
            views.append(view)
            continue
        facts = Table(
            "Headline facts",
            ("fact", "id", "value", "n", "method", "evidence"),
            [
                (f.label, f.id, f.text(), "" if f.n is None else str(f.n), f.method, f.detail)
                for f in section.facts(name)[1:]
            ],
        )
        try:
            if builder is None:
                raise LookupError("no dedicated view")
            builder(view, data)
            view.tables.insert(0, facts)
        except (LookupError, TypeError, AttributeError) as exc:
            # No view, or a section of another shape (older or newer stage): show its data.
            view.charts, view.tables, view.answers = [], [facts], {}
            if builder is not None:
                view.notes.append(
                    f"this section's layout is not the one this report knows "
                    f"({type(exc).__name__}: {exc}); its data follows"
                )
            view.raw = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        views.append(view)
    return views
