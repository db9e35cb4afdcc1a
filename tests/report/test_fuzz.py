"""Hostile or malformed input to the policy parser, the Markdown escaper and the SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from modelpassport.errors import InputError
from modelpassport.policy import parse_policy
from modelpassport.report._markdown import md_text
from modelpassport.report._svg import Bar, heatmap, interval_chart

_KEYS = st.sampled_from(
    [
        "name",
        "rules",
        "on_missing",
        "statistic",
        "max_echo_rate",
        "allow_countries",
        "x",
        "[rules]",
        "=",
        '"',
        "\n",
        "{",
        "}",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_KEYS, max_size=30).map(" ".join)))
def test_policy_parser_only_raises_input_error(text: str) -> None:
    message = "p.toml: "
    try:
        parse_policy(text, "p.toml")
    except InputError as exc:
        message = str(exc)
    assert message.startswith("p.toml: ")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_markdown_cells_stay_inert(text: str) -> None:
    out = md_text(text)
    assert "<" not in out
    assert "\n" not in out
    assert "](" not in out
    # every pipe is escaped, so a value cannot add a table column
    assert out.count("|") == out.count("\\|")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(max_size=40), min_size=1, max_size=5),
    st.lists(st.floats(-1, 1), min_size=1, max_size=5),
)
def test_charts_are_well_formed_for_any_label(labels: list[str], values: list[float]) -> None:
    cells = {(label, "en"): (abs(v), label) for label, v in zip(labels, values, strict=False)}
    bars = [Bar(label, v, v - 0.1, v + 0.1) for label, v in zip(labels, values, strict=False)]
    for svg in (heatmap("h", labels, ["en"], cells), interval_chart("i", bars)):
        ET.fromstring(svg)  # control characters in labels are replaced, not passed on
