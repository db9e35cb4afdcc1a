"""The security section's evidence view: where attacks work, by family, language and
template, what agents do with injected instructions, and how secrets leak.

Reads the section's JSON form like every other builder (``_sections``); every string is
plain text, escaped by the template, and chart labels are escaped by ``_svg``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._svg import heatmap, interval_chart
from ._views import SectionView, Table, estimate_bar, num, pct

HITS_SHOWN = 20
EXCERPT = 200


def _rows(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [r for r in data.get(key) or [] if isinstance(r, Mapping)]


def _families(view: SectionView, data: Mapping[str, Any]) -> None:
    rows = _rows(data, "families")
    view.charts.append(
        interval_chart(
            "Attack lift over clean controls, by family and language (95% intervals)",
            [
                estimate_bar(f"{r['family']}, {r['lang']}", r.get("lift"), i % 3)
                for i, r in enumerate(rows)
            ],
        )
    )
    view.tables.append(
        Table(
            "Attack success by family and language",
            ("family", "lang", "attacked", "best of k", "clean control", "lift (attack − control)"),
            [
                (
                    r["family"],
                    r["lang"],
                    pct(r.get("attack")),
                    pct(r.get("best_of_k")),
                    pct(r.get("control")),
                    num((r.get("lift") or {}).get("value"), 2),
                )
                for r in rows
            ],
        )
    )


def _templates(view: SectionView, data: Mapping[str, Any]) -> None:
    rows = _rows(data, "templates")
    cells: dict[tuple[str, str], tuple[float, str]] = {}
    for r in rows:
        for lang in ("en", "zh"):
            rate = r.get(lang) or {}
            if rate.get("value") is not None:
                label = f"{r['family']}: {r['template']}"
                cells[(label, lang)] = (rate["value"], f"{rate.get('k')}/{rate.get('n')} reached")
    labels = sorted({key[0] for key in cells})
    view.charts.append(
        heatmap("Attack success by template and language", labels, ["en", "zh"], cells)
    )
    view.tables.append(
        Table(
            "Best template per family: chosen on the dev split, measured on the test split",
            ("family", "templates", "mean over templates", "best (dev)", "dev", "test"),
            [
                (
                    r["family"],
                    str(r.get("templates")),
                    num(r.get("mean_over_templates")),
                    str(r.get("best") or "–"),
                    pct(r.get("dev")),
                    pct(r.get("test")),
                )
                for r in _rows(data, "best_templates")
            ],
        )
    )


def _agents_and_injection(view: SectionView, data: Mapping[str, Any]) -> None:
    view.tables.append(
        Table(
            "Agent episodes with simulated tools",
            (
                "lang",
                "task done (benign)",
                "task done (attacked)",
                "attack attempted",
                "attack completed",
                "invalid calls",
            ),
            [
                (
                    r["lang"],
                    pct(r.get("utility_benign")),
                    pct(r.get("utility_under_attack")),
                    pct(r.get("attempted")),
                    pct(r.get("completed")),
                    pct(r.get("invalid")),
                )
                for r in _rows(data, "agent")
            ],
        )
    )
    view.tables.append(
        Table(
            "Instructions injected into content",
            ("lang", "executed", "processed as data", "dropped", "user's task still right"),
            [
                (
                    r["lang"],
                    pct(r.get("executed")),
                    pct(r.get("as_data")),
                    pct(r.get("dropped")),
                    pct(r.get("fidelity")),
                )
                for r in _rows(data, "injection")
            ],
        )
    )


def _hits(data: Mapping[str, Any]) -> Table:
    """The attacked items whose goal was reached, most severe first: the evidence to read."""
    order = {"high": 0, "medium": 1, "low": 2}
    hits = [r for r in _rows(data, "items") if r.get("hit") is True and not r.get("control")]
    hits.sort(key=lambda r: (order.get(str(r.get("severity")), 9), str(r.get("id"))))
    shown = f", first {HITS_SHOWN} shown" if len(hits) > HITS_SHOWN else ""
    return Table(
        f"Attacks that reached their goal: {len(hits)}{shown}",
        ("item", "family", "template", "lang", "severity", "how", "tools called", "answer"),
        [
            (
                str(r.get("id")),
                str(r.get("family")),
                str(r.get("template")),
                str(r.get("lang")),
                str(r.get("severity")),
                (r.get("form") or "–") + (" (reasoning only)" if r.get("think_only") else ""),
                ", ".join(r.get("calls") or []) or "–",
                (r.get("answer") or "")[:EXCERPT],
            )
            for r in hits[:HITS_SHOWN]
        ],
    )


def _notes(view: SectionView, data: Mapping[str, Any]) -> None:
    leaks = data.get("leaks") or {}
    if leaks:
        forms = ", ".join(f"{k} {v}" for k, v in sorted((leaks.get("forms") or {}).items()))
        view.notes.append(
            f"leaked canaries by form: {forms or 'none'}; only inside a reasoning block: "
            + pct(leaks.get("think_only"))
        )
    refusal = data.get("over_refusal") or {}
    if refusal:
        view.notes.append(
            "over-refusal of benign requests: "
            + ", ".join(f"{k} {pct(v)}" for k, v in sorted(refusal.items()))
        )
    gap = data.get("zh_en_gap") or {}
    if gap.get("value") is not None:
        view.notes.append(f"zh − en gap in attack success: {num(gap['value'], 3)}")
    method = data.get("methodology") or {}
    view.notes += [
        f"{k.replace('_', ' ')}: {method[k]}"
        for k in ("tool_mode", "intervals", "sampling")
        if method.get(k)
    ]
    view.notes += [str(c) for c in method.get("caveats") or []]
    view.notes.append(
        f"suite {data.get('suite')} {data.get('suite_version')}: {data.get('items_asked')} "
        f"items, {data.get('episodes')} episodes, {data.get('requests')} requests, "
        f"{data.get('errors', 0)} endpoint errors (unscored, never counted as safe)"
    )


def security_view(view: SectionView, data: Mapping[str, Any]) -> None:
    """Fill the security section's view: lifts and rates by family and language, template
    heatmap and the dev/test choice, agent and injection tables, the hits to read, the
    checkers' agreement with the hand labels, and the method."""
    _families(view, data)
    _templates(view, data)
    _agents_and_injection(view, data)
    view.tables.append(_hits(data))
    checkers = _rows(data.get("methodology") or {}, "checkers")
    if checkers:
        view.tables.append(
            Table(
                "Checker agreement with hand labels",
                ("split", "n", "accuracy", "kappa"),
                [
                    (c["split"], str(c["n"]), num(c.get("accuracy")), num(c.get("kappa")))
                    for c in checkers
                ],
            )
        )
    _notes(view, data)
