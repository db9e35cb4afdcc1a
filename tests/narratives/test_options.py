"""The stage's --option settings: defaults, validation, one clear line per mistake."""

from __future__ import annotations

import pytest

from modelpassport.errors import InputError
from modelpassport.narratives._options import parse_options
from modelpassport.passport.sections import NarrativesSection


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
        ({"sample": "3"}, "narratives.sample: expected one of suite, samples"),
        ({"samples": "many"}, "narratives.samples: expected an integer"),
        ({"samples": "0"}, "narratives.samples: expected at least 1"),
        ({"max_tokens": "-5"}, "narratives.max_tokens: expected at least 1"),
        ({"temperature": "hot"}, "narratives.temperature: expected a number"),
        ({"samples": "2", "temperature": "0"}, "expected a temperature above 0"),
        ({"scorer": "oracle"}, "expected lexical, local or judge"),
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
