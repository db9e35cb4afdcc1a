"""The stage's --option settings: defaults, validation, one clear line per mistake."""

from __future__ import annotations

import pytest

from modelpassport.errors import InputError
from modelpassport.narratives._options import NarrativeOptions
from modelpassport.passport.sections import NarrativesSection
from modelpassport.stages import parse_stage_options


def parse_options(raw: dict[str, str]) -> NarrativeOptions:
    return parse_stage_options("narratives", NarrativeOptions, raw)


def test_defaults() -> None:
    opts = parse_options({})
    assert (opts.samples, opts.temperature, opts.max_tokens) == (1, 0.0, 200)
    assert opts.scorer == "lexical"
    assert opts.suite is None
    sampled = parse_options({"samples": "5"})
    assert sampled.temperature == 0.7
    judged = parse_options({"judge": "scripted:x.json"})
    assert judged.scorer == "judge"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"sample": "3"},
            "narratives.sample: expected one of narratives.samples, narratives.temperature",
        ),
        ({"samples": "many"}, "narratives.samples=many: expected a valid integer"),
        (
            {"samples": "0"},
            "narratives.samples=0: expected greater than or equal to 1",
        ),
        ({"max_tokens": "-5"}, "narratives.max_tokens=-5: expected greater than"),
        ({"temperature": "hot"}, "narratives.temperature=hot: expected a valid number"),
        ({"samples": "2", "temperature": "0"}, "expected temperature above 0 with samples > 1"),
        ({"scorer": "oracle"}, "expected 'lexical', 'local' or 'judge'"),
        ({"scorer": "judge"}, "expected narratives.judge=REF"),
    ],
)
def test_bad_settings(raw: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_options(raw)
    assert message in str(info.value)


def test_summary_of_a_section_that_did_not_run() -> None:
    skipped = NarrativesSection(status="skipped", reason="no target")
    assert skipped.summary() == "no target"
