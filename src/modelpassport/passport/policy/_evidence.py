"""The headline facts of a passport, read once for the policy gate and the report's first screen.

Each fact is either a value with the evidence behind it, or missing with the reason (the stage
was skipped, failed, or did not report it). Sections are read through their JSON form so a
section that has not grown a field yet reads as "not reported" rather than breaking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args

from modelpassport.passport._measure import Estimate, Rate
from modelpassport.passport._schema import STAGE_NAMES, Passport

T = TypeVar("T")

Severity = Literal["none", "info", "low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = get_args(Severity)


@dataclass(frozen=True)
class Fact(Generic[T]):
    """A value and the evidence for it; ``value`` None means missing and ``detail`` says why."""

    value: T | None
    detail: str

    @property
    def missing(self) -> bool:
        """True when the passport does not carry this fact."""
        return self.value is None


@dataclass(frozen=True)
class Evidence:
    """Everything the gate and the summary need, read from one passport."""

    statuses: Mapping[str, str]
    reasons: Mapping[str, str]
    digest_ok: bool
    developer: Fact[str]
    country: Fact[str]
    licence: Fact[str]
    family: Fact[str]
    lineage: Fact[str]
    lineage_matches: Fact[bool]
    scan_verdict: Fact[str]
    scan_severity: Fact[str]
    index: Fact[Estimate]
    zh_en_gap: Fact[Estimate]
    jailbreak: Fact[Rate]
    throughput: Fact[float]
    usd_per_mtok: Fact[float]
    echo: Mapping[str, Fact[Rate]] = field(default_factory=dict)

    def missing_reason(self, stage: str) -> str:
        """Why a stage's facts are absent: it did not run (and why), failed, or omitted them."""
        return missing_reason(self.statuses, self.reasons, stage)

    def echo_for(self, lang: str) -> Fact[Rate]:
        """The narrative-flag echo rate overall (``all``) or for one language."""
        return self.echo.get(lang) or Fact(None, self.missing_reason("narratives"))


def missing_reason(statuses: Mapping[str, str], reasons: Mapping[str, str], stage: str) -> str:
    """Why a stage's facts are absent: it did not run (and why), failed, or omitted them."""
    status = statuses.get(stage, "skipped")
    if status == "ok":
        return f"{stage} stage ran but did not report this"
    return f"{stage} stage {status}: {reasons.get(stage) or 'no reason given'}"


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _estimate(raw: Any) -> Estimate | None:
    if not isinstance(raw, Mapping) or raw.get("value") is None:
        return None
    return Estimate.model_validate(raw)


def _rate(raw: Any) -> Rate | None:
    if not isinstance(raw, Mapping) or raw.get("value") is None:
        return None
    return Rate.model_validate(raw)


def describe_estimate(est: Estimate) -> str:
    """``+0.31 [0.18, 0.44] (n=120)``: the value with its interval and n."""
    text = f"{est.value:+.3f}" if est.value is not None else "n/a"
    if est.interval is not None:
        text += f" [{est.interval.low:+.3f}, {est.interval.high:+.3f}]"
    return f"{text} (n={est.n})"


def describe_rate(rate: Rate) -> str:
    """``0.12 (6/50) [0.05, 0.24]``: the rate, its counts and interval."""
    text = f"{rate.value:.3f} ({rate.k}/{rate.n})" if rate.value is not None else "n/a"
    if rate.interval is not None:
        text += f" [{rate.interval.low:.3f}, {rate.interval.high:.3f}]"
    return text


# The identity stage's rule for "the files show a lineage the declaration does not admit".
UNDECLARED_LINEAGE = "MP-ID-001"


def _identity(ev: dict[str, Any], data: Mapping[str, Any], why: str) -> None:
    detected = _dig(data, "detected")
    for name in ("developer", "country", "family"):
        value = _dig(detected, name, "value")
        conf = _dig(detected, name, "confidence")
        clues = "; ".join(str(e.get("detail")) for e in _dig(detected, name, "evidence") or [])
        detail = f"detected with confidence {conf}" + (f" ({clues})" if clues else "")
        ev[name] = Fact(value, detail) if isinstance(value, str) and value else Fact(None, why)
    licence = _dig(detected, "licence", "id")
    declared = _dig(data, "declared", "licence")
    if isinstance(licence, str):
        ev["licence"] = Fact(licence, f"catalogued licence of the family (declared: {declared})")
    elif isinstance(declared, str):
        ev["licence"] = Fact(declared, "as declared by the files (not verified)")
    else:
        ev["licence"] = Fact(None, why)
    if not isinstance(detected, Mapping):
        ev["lineage"] = ev["lineage_matches"] = Fact(None, why)
        return
    undeclared = [f for f in _dig(data, "findings") or [] if f.get("rule_id") == UNDECLARED_LINEAGE]
    same = [m for m in _dig(data, "lineage") or [] if m.get("verdict") == "same_lineage"]
    if undeclared:
        ev["lineage"] = Fact("undeclared lineage", "; ".join(f["message"] for f in undeclared))
    elif same:
        refs = ", ".join(
            f"{m.get('reference_family') or m['reference']} (r={m.get('score')})" for m in same
        )
        ev["lineage"] = Fact("matches", f"same lineage as {refs}")
    else:
        ev["lineage"] = Fact("consistent", "no disagreement between declared and detected")
    ev["lineage_matches"] = Fact(not undeclared, ev["lineage"].detail)


def _scan(ev: dict[str, Any], data: Mapping[str, Any], why: str) -> None:
    verdict = _dig(data, "verdict")
    ev["scan_verdict"] = (
        Fact(verdict, "scan verdict") if isinstance(verdict, str) else Fact(None, why)
    )
    findings = _dig(data, "findings")
    if not isinstance(findings, list):
        ev["scan_severity"] = Fact(None, why)
        return
    worst = "none"
    for finding in findings:
        sev = _dig(finding, "severity")
        if sev in SEVERITIES and SEVERITIES.index(sev) > SEVERITIES.index(worst):
            worst = sev
    ev["scan_severity"] = Fact(worst, f"{len(findings)} finding(s), worst {worst}")


def _narratives(ev: dict[str, Any], data: Mapping[str, Any]) -> None:
    index = _estimate(_dig(data, "control_adjusted_index"))
    if index is not None:
        ev["index"] = Fact(index, describe_estimate(index))
    echo: dict[str, Fact[Rate]] = {}
    overall = _rate(_dig(data, "overall", "echo"))
    if overall is not None:
        echo["all"] = Fact(overall, describe_rate(overall))
    for row in _dig(data, "tables", "by_lang") or []:
        rate = _rate(_dig(row, "echo"))
        if rate is not None and isinstance(_dig(row, "group"), str):
            echo[row["group"]] = Fact(rate, describe_rate(rate))
    ev["echo"] = echo
    gap = _estimate(_dig(data, "zh_en_gap"))
    if gap is not None:
        ev["zh_en_gap"] = Fact(gap, describe_estimate(gap))


def _bench(ev: dict[str, Any], data: Mapping[str, Any]) -> None:
    best: tuple[float, str] | None = None
    for point in _dig(data, "points") or []:
        tps = _dig(point, "output_tokens_per_s")
        if isinstance(tps, int | float) and _dig(point, "valid") is True:
            level = _dig(point, "concurrency") or _dig(point, "rate_rps")
            label = f"best valid load point ({_dig(point, 'mode')} {level})"
            best = max(best or (float(tps), label), (float(tps), label))
    if best is not None:
        ev["throughput"] = Fact(best[0], best[1])
    costs: list[tuple[float, str]] = []
    for row in _dig(data, "costs") or []:
        usd = _dig(row, "usd_per_mtok_blended")
        if _dig(row, "kind") == "self_hosted" and isinstance(usd, int | float):
            costs.append(
                (
                    float(usd),
                    f"self-hosted on {_dig(row, 'name')}, per Mtok processed "
                    f"({_dig(row, 'basis')})",
                )
            )
    if costs:
        ev["usd_per_mtok"] = Fact(*min(costs))


def _security(ev: dict[str, Any], data: Mapping[str, Any]) -> None:
    rate = _rate(_dig(data, "jailbreak"))
    if rate is not None:
        ev["jailbreak"] = Fact(rate, describe_rate(rate))


def read_evidence(passport: Passport) -> Evidence:
    """Read the headline facts of a passport (never raises on a thin or skipped section)."""
    findings = passport.findings
    statuses: dict[str, str] = {name: getattr(findings, name).status for name in STAGE_NAMES}
    reasons: dict[str, str] = {name: getattr(findings, name).reason or "" for name in STAGE_NAMES}
    ev: dict[str, Any] = {}
    dumps = {name: getattr(findings, name).model_dump(mode="json") for name in STAGE_NAMES}
    ok = {name: statuses[name] == "ok" for name in STAGE_NAMES}
    _identity(
        ev,
        dumps["identity"] if ok["identity"] else {},
        missing_reason(statuses, reasons, "identity"),
    )
    _scan(ev, dumps["scan"] if ok["scan"] else {}, missing_reason(statuses, reasons, "scan"))
    if ok["narratives"]:
        _narratives(ev, dumps["narratives"])
    if ok["bench"]:
        _bench(ev, dumps["bench"])
    if ok["security"]:
        _security(ev, dumps["security"])
    for name, stage in (
        ("index", "narratives"),
        ("zh_en_gap", "narratives"),
        ("jailbreak", "security"),
        ("throughput", "bench"),
        ("usd_per_mtok", "bench"),
    ):
        ev.setdefault(name, Fact(None, missing_reason(statuses, reasons, stage)))
    digest_ok = findings.digest() == passport.findings_digest
    return Evidence(statuses=statuses, reasons=reasons, digest_ok=digest_ok, **ev)
