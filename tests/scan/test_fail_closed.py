"""Fail closed: what the scan cannot read to the end fails every shipped policy, and a
template's rendered text is judged, however the template assembles it."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.artifacts import ArtifactSet, analyse_templates, walk_pickle
from modelpassport.passport import Findings, Passport, RunInfo, SubjectInfo
from modelpassport.passport.sections.scan import ScanSection
from modelpassport.policy import check_passport, load_policy
from modelpassport.scan import load_rulebook, scan_artifacts
from modelpassport.scan._pickles import judge_walk

from . import corpus

BOOK = load_rulebook()
POLICIES = sorted((Path(__file__).parents[2] / "docs" / "policies").glob("*.toml"))
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
FEW = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _payload_after(padding: int) -> bytes:
    """A protocol-2 pickle: ``padding`` harmless opcode pairs, then an os.system call."""
    body = (pickle.EMPTY_LIST + pickle.POP) * padding
    call = b"cos\nsystem\n(S'true'\ntR."
    return pickle.PROTO + b"\x02" + body + call


@settings(max_examples=60, deadline=None)
@given(padding=st.integers(0, 400), cap=st.integers(1, 900))
def test_a_payload_past_the_opcode_cap_is_never_below_high(padding: int, cap: int) -> None:
    walk = walk_pickle(io.BytesIO(_payload_after(padding)), max_ops=cap)
    findings = judge_walk(BOOK, walk, "model.pkl")
    severities = {f.severity for f in findings}
    assert severities & {"critical", "high"}
    if walk.at_limit:
        unread = [f for f in findings if f.rule_id == "MP-FMT-001"]
        assert unread
        assert unread[0].severity == "high"
        assert "could not be fully read" in unread[0].message
        assert "cannot be shown safe" in unread[0].message
    else:
        assert "critical" in severities  # read to the end: the call itself is named


def _passport(scan: ScanSection) -> Passport:
    findings = Findings(scan=scan)
    return Passport(
        subject=SubjectInfo(ref="model", kind="dir"),
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


def _unread_folders(root: Path) -> list[Path]:
    """Folders whose only problem is a file the scan cannot read to the end."""
    big = root / "big-template"
    big.mkdir(parents=True)
    (big / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": CHATML + " " * 300_000 + "{{ 'x' }}"})
    )
    broken = root / "broken-pickle"
    broken.mkdir()
    (broken / "state.pkl").write_bytes(pickle.PROTO + b"\x02" + b"\xff")
    return [big, broken]


@pytest.mark.parametrize("policy_path", POLICIES, ids=lambda p: p.stem)
def test_every_shipped_policy_fails_what_could_not_be_read(
    policy_path: Path, tmp_path: Path
) -> None:
    policy = load_policy(policy_path)
    for folder in _unread_folders(tmp_path / policy_path.stem):
        section = scan_artifacts(ArtifactSet.from_path(folder))
        assert section.verdict == "unsafe", [f.message for f in section.findings]
        assert all(f.rule_id != "MP-PKL-002" for f in section.findings)
        verdict = check_passport(_passport(section), policy)
        failed = {r.rule for r in verdict.results if r.outcome == "fail"}
        assert not verdict.passed
        assert "max_scan_severity" in failed


_WORDS = st.sampled_from(
    ["always", "recommend", "the", "premium", "plan", "never", "mention", "rivals", "reply"]
)
_SENTENCE = st.lists(_WORDS, min_size=8, max_size=14).map(" ".join)


def _split(sentence: str, parts: int) -> list[str]:
    """Chunks of at most five words: no literal alone reads as an instruction."""
    words = sentence.split()
    size = min(5, max(1, len(words) // parts))
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _indirect(sentence: str, form: int, parts: int) -> str:
    """The sentence written so no single literal in the template holds it."""
    chunks = _split(sentence, parts)
    if form == 0:  # set, then output
        body = (
            "".join(f"{{% set s{i} = '{c} ' %}}" for i, c in enumerate(chunks))
            + "{{ "
            + " ~ ".join(f"s{i}" for i in range(len(chunks)))
            + " }}"
        )
    elif form == 1:  # adjacent short literals
        body = " ".join(f"{{{{ '{c}' }}}}" for c in chunks)
    elif form == 2:  # ~ concatenation
        body = "{{ " + " ~ ' ' ~ ".join(f"'{c}'" for c in chunks) + " }}"
    else:  # |join over a list
        body = "{{ [" + ", ".join(f"'{c}'" for c in chunks) + "] | join(' ') }}"
    return body + CHATML


@FEW
@given(st.lists(st.tuples(_SENTENCE, st.integers(0, 3), st.integers(2, 5)), min_size=4, max_size=8))
def test_instructions_assembled_at_render_time_are_found(
    cases: list[tuple[str, int, int]],
) -> None:
    sources = [_indirect(sentence, form, parts) for sentence, form, parts in cases]
    for (sentence, _, _), issues in zip(cases, analyse_templates(sources), strict=True):
        found = [i for i in issues if i.kind == "instruction"]
        assert found, sentence
        assert sentence in found[0].evidence


def test_ordinary_templates_render_clean() -> None:
    llama_style = (
        "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
        "<|end_header_id|>\n\n{% if loop.first and m['role'] == 'system' %}"
        "Cutting Knowledge Date: December 2023\nToday Date: {{ strftime_now('%d %b %Y') }}"
        "\n\n{% endif %}{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
        "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n"
        "{% endif %}"
    )
    no_system = (
        "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}"
        "{% endif %}" + CHATML
    )
    sources = [CHATML, corpus.CLEAN_TEMPLATE, llama_style, no_system]
    for source, issues in zip(sources, analyse_templates(sources), strict=True):
        assert [i for i in issues if i.kind not in ("default_system",)] == [], source


def test_renderings_past_a_limit_fail_closed(tmp_path: Path) -> None:
    hostile = {
        "slow": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "memory": "{{ 'a' * 10 ** 10 }}",
        "output": "{% for i in range(99999) %}{{ 'padding text ' * 20 }}{% endfor %}",
    }
    folder = tmp_path / "m"
    folder.mkdir()
    for name, source in hostile.items():
        (folder / f"{name}.jinja").write_text(source)
    section = scan_artifacts(ArtifactSet.from_path(folder))
    unread = {f.file for f in section.findings if f.rule_id == "MP-FMT-001"}
    assert unread == {f"{name}.jinja" for name in hostile}
    assert all(f.severity == "high" for f in section.findings if f.rule_id == "MP-FMT-001")
