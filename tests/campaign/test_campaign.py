"""A campaign over several real HTTP servers with different behaviours: one answers, one
refuses, one loses its model half-way, one is dead. The healthy audits complete, the broken
ones are recorded as such, the table says so, and a rerun keeps what finished."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from modelpassport.campaign import CampaignOutcome, execute_campaign
from modelpassport.errors import InputError
from modelpassport.passport import (
    generate_keypair,
    load_private_key,
    sign_passport,
    write_signature,
)
from modelpassport.report import read_passport
from tests.support.fake_openai import FakeOpenAI, Reply

from .conftest import load, models_toml
from .servers import answerer, failing_after, probe_prompts, refuser

POLICY = """
name = "refuses-little"
[facts."narratives.refusal_rate"]
max = 0.5
"""


def _run(campaign_dir: Path, body: str, out: Path) -> CampaignOutcome:
    campaign = load(campaign_dir, body)
    return asyncio.run(execute_campaign(campaign, out))


@pytest.fixture
def servers() -> object:
    with (
        FakeOpenAI(answerer) as good,
        FakeOpenAI(refuser) as shy,
        FakeOpenAI(failing_after(4, answerer)) as flaky,
        FakeOpenAI(default=Reply("down", status=404)) as dead,
    ):
        yield good, shy, flaky, dead


def test_panel_with_a_failing_server(servers: tuple[FakeOpenAI, ...], tmp_path: Path) -> None:
    good, shy, flaky, dead = servers
    (tmp_path / "policy.toml").write_text(POLICY, encoding="utf-8")
    body = 'policy = "policy.toml"\n' + models_toml(
        [
            ("Open answerer", f"{good.base_url}#m"),
            ("Careful <b>refuser</b>", f"{shy.base_url}#m"),
            ("Flaky", f"{flaky.base_url}#m"),
            ("Dead", f"{dead.base_url}#m"),
        ]
    )
    out = tmp_path / "out"
    outcome = _run(tmp_path, body, out)

    status = {r.name: r.status for r in outcome.results}
    assert status == {
        "Open answerer": "complete",
        "Careful <b>refuser</b>": "complete",
        "Flaky": "incomplete",
        "Dead": "failed",
    }
    assert not outcome.complete
    flaky_result = next(r for r in outcome.results if r.name == "Flaky")
    assert "4 of 8 requests failed" in flaky_result.message
    dead_result = next(r for r in outcome.results if r.name == "Dead")
    assert "does not answer" in dead_result.message
    assert dead_result.passport is None
    # Each model has its own folder, passport and journal.
    for folder in ("Open_answerer", "Careful_b_refuser_b", "Flaky"):
        assert (out / "models" / folder / "journal.sqlite").is_file()
        assert read_passport(out / "models" / folder / "passport.json").digest_ok()
    state = json.loads((out / "campaign-state.json").read_text())
    assert state["models"]["Dead"]["status"] == "failed"

    md = outcome.markdown.read_text()
    lines = {line.split(" | ")[0].lstrip("| "): line for line in md.splitlines() if "|" in line}
    # The refuser's refusal rate is worse beyond the noise than the answerer's: both marked.
    header = md.splitlines()[4].split(" | ")
    refusal = header.index("Narratives refusal")
    assert lines["Open answerer"].split(" | ")[refusal].endswith("▲")
    assert (
        lines["Careful <b>refuser</b>".replace("<", "&lt;").replace(">", "&gt;")]
        .split(" | ")[refusal]
        .endswith("▼")
    )
    # Policy per model; unfinished audits are never admitted, whatever they measured.
    assert "| pass |" in lines["Open answerer"]
    assert "fail: facts\\.narratives\\.refusal\\_rate\\.max" in md
    assert "not admitted: audit incomplete" in lines["Flaky"]
    assert "not admitted: audit failed" in lines["Dead"]
    html = outcome.html.read_text()
    assert "Careful &lt;b&gt;refuser&lt;/b&gt;" in html
    assert "<b>refuser" not in html
    assert 'data-fact="narratives.refusal_rate"' in html
    assert html.count("<svg") >= 4  # interval charts of the narrative rates

    # Rerun: complete audits are kept (no request at all), the broken ones are retried and
    # only what had failed is asked again.
    asked = {s.base_url: len(s.requests) for s in servers}
    flaky_ok_before = set(probe_prompts(flaky.requests[:5]))
    outcome = _run(tmp_path, body, out)
    assert len(good.requests) == asked[good.base_url]
    assert len(shy.requests) == asked[shy.base_url]
    again = probe_prompts(flaky.requests[asked[flaky.base_url] :])
    assert len(again) == 4
    assert not set(again) & flaky_ok_before
    assert json.loads((out / "campaign-state.json").read_text())["models"]["Flaky"]["runs"] == 2


def test_lanes_run_apart_and_alike_run_in_turn(tmp_path: Path) -> None:
    """Models on different servers are audited at once; two on one server, one at a time."""
    starts: dict[str, list[float]] = {}

    def timed(tag: str) -> object:
        import time

        def responder(body: dict[str, object]) -> Reply:
            starts.setdefault(tag, []).append(time.monotonic())
            return Reply("Historians record it.", ttft_s=0.15)

        return responder

    with FakeOpenAI(timed("a")) as a, FakeOpenAI(timed("b")) as b:
        body = models_toml(
            [("A1", f"{a.base_url}#m1"), ("A2", f"{a.base_url}#m2"), ("B", f"{b.base_url}#m")]
        )
        campaign = load(tmp_path, body, sample=4, concurrency=1)
        asyncio.run(execute_campaign(campaign, tmp_path / "out"))
        models_a = [str(r["model"]) for r in a.requests]
    # Server a saw all of m1's requests before any of m2's (one audit at a time in its lane).
    assert models_a == sorted(models_a)
    # Server b's audit ran while server a's lane was busy.
    assert min(starts["b"]) < max(starts["a"])
    assert min(starts["a"]) < max(starts["b"])


def _signed_reference(tmp_path: Path, good: FakeOpenAI) -> tuple[Path, Path]:
    """Audit a model once, elsewhere, and sign its passport; return (passport, public key)."""
    outcome = _run(
        tmp_path / "elsewhere",
        models_toml([("Shared", f"{good.base_url}#m")]),
        tmp_path / "elsewhere" / "out",
    )
    path = outcome.results[0].passport
    assert path is not None
    public, _ = generate_keypair(tmp_path / "org.key")
    sig = sign_passport(read_passport(path), load_private_key(tmp_path / "org.key"))
    write_signature(sig, path.with_name("passport.json.sig"))
    return path, public


def test_reference_passports_signed_and_unsigned(tmp_path: Path) -> None:
    with FakeOpenAI(answerer) as good, FakeOpenAI(refuser) as shy:
        passport, public = _signed_reference(tmp_path, good)
        asked = len(good.requests)
        body = (
            f'[trusted_keys]\norg = "{public}"\n'
            + models_toml([("Candidate", f"{shy.base_url}#m")])
            + f'\n[[references]]\nname = "Org audit"\npassport = "{passport}"\n'
            f'signature = "{passport}.sig"\nkey = "org"\n'
            + f'\n[[references]]\nname = "Loose copy"\npassport = "{passport}"\n'
        )
        outcome = _run(tmp_path / "here", body, tmp_path / "here" / "out")
        assert len(good.requests) == asked, "a reference passport is never audited again"
    md = outcome.markdown.read_text().replace("\\", "")  # Markdown escapes off, to read it
    assert "reference, signed by org (key" in md
    assert "verified" in md
    assert "reference, unsigned" in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows[1:]] == ["| Candidate", "| Org audit", "| Loose copy"]

    # Tampered: the findings no longer match what was signed; the campaign refuses to start.
    data = json.loads(passport.read_text())
    data["findings"]["narratives"]["reason"] = "edited"
    passport.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"references\[0\]: signature does not verify"):
        _run(tmp_path / "here", body, tmp_path / "here" / "out2")
