"""Inline SVG charts: well-formed XML, every label escaped, numbers placed where they belong."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from modelpassport.report._svg import (
    Bar,
    Series,
    bar_chart,
    heatmap,
    interval_chart,
    line_chart,
    ramp,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>document.title="pwned"</script>&"\''


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def test_heatmap_cells_and_escaped_labels() -> None:
    cells = {("tiananmen", "en"): (0.1, "1/10"), ("tiananmen", "zh"): (0.9, HOSTILE)}
    svg = heatmap("withheld", ["tiananmen", HOSTILE], ["en", "zh"], cells)
    root = _parse(svg)
    rects = [r for r in root.iter(f"{NS}rect") if r.get("class") == "cell"]
    assert len(rects) == 4
    fills = [r.get("fill") for r in rects]
    assert fills[0] == ramp(0.1)
    assert fills[1] == ramp(0.9)
    assert fills[2] == fills[3] == "#e4e6e9"  # no data: grey, not zero
    assert "<script>" not in svg
    titles = [t.text for t in root.iter(f"{NS}title")]
    assert HOSTILE in titles  # the full label survives as text, escaped in the markup
    shown = [t.text or "" for t in root.iter(f"{NS}text")]
    assert HOSTILE[:35] + "…" in shown  # long labels are clipped on the chart


def test_ramp_is_monotonic_and_clamped() -> None:
    reds = [int(ramp(v)[1:3], 16) for v in (0.0, 0.5, 1.0)]
    greens = [int(ramp(v)[3:5], 16) for v in (0.0, 0.5, 1.0)]
    assert greens == sorted(greens, reverse=True)
    assert reds == sorted(reds, reverse=True)
    assert ramp(-3) == ramp(0.0)
    assert ramp(7) == ramp(1.0)


def test_interval_chart_places_points_inside_whiskers() -> None:
    bars = [
        Bar("index", 0.2, 0.1, 0.3),
        Bar("gap", -0.1, -0.25, 0.05, series=1),
        Bar("missing", None),
    ]
    root = _parse(interval_chart("index", bars))
    whiskers = [w for w in root.iter(f"{NS}line") if w.get("class") == "whisker"]
    points = [c for c in root.iter(f"{NS}circle") if c.get("class") == "point"]
    assert len(whiskers) == 2
    assert len(points) == 2
    for whisker, point in zip(whiskers, points, strict=True):
        assert float(whisker.get("x1", 0)) < float(point.get("cx", 0)) < float(whisker.get("x2", 0))
    assert float(points[0].get("cx", 0)) > float(points[1].get("cx", 0))
    assert any(t.text == "n/a" for t in root.iter(f"{NS}text"))


def test_bar_lengths_are_proportional() -> None:
    root = _parse(bar_chart("cost", [Bar("a", 1.0), Bar("b", 4.0)], unit="$/Mtok"))
    widths = [float(r.get("width", 0)) for r in root.iter(f"{NS}rect")]
    assert abs(widths[1] / widths[0] - 4.0) < 0.01


def test_line_chart_one_polyline_per_series() -> None:
    svg = line_chart(
        "curve",
        [Series("m1", [(10, 0.1), (18, 0.2)]), Series(HOSTILE, [(5, 0.3)])],
        x_label="output tok/s",
        y_label="TTFT p50 (s)",
    )
    root = _parse(svg)
    assert len(list(root.iter(f"{NS}polyline"))) == 2
    assert "<script>" not in svg


def test_empty_charts_say_so() -> None:
    for svg in (
        heatmap("h", [], [], {}),
        interval_chart("i", []),
        bar_chart("b", []),
        line_chart("l", [], x_label="x", y_label="y"),
    ):
        assert "no data" in svg
        _parse(svg)


def test_scatter_marks_the_front_and_escapes_labels() -> None:
    from modelpassport.report import Point, pareto_front, scatter_chart

    pairs = [(0.5, 0.2), (8.0, 0.7), (9.0, 0.18), (0.5, 0.1)]
    front = pareto_front(pairs)
    assert front == [True, True, False, False]
    points = [
        Point(HOSTILE if i == 0 else f"m{i}", x, y, on, i)
        for i, ((x, y), on) in enumerate(zip(pairs, front, strict=True))
    ]
    svg = scatter_chart("cost vs " + HOSTILE, points, x_label="$/Mtok", y_label=HOSTILE)
    root = _parse(svg)
    assert "<script>" not in svg
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == 4
    assert [("on-front" in (c.get("class") or "")) for c in circles] == front
    line = next(p for p in root.iter(f"{NS}polyline") if p.get("class") == "front")
    xs = [float(xy.split(",")[0]) for xy in (line.get("points") or "").split()]
    assert xs == sorted(xs)  # the front is drawn from cheap to dear
    # Cheaper is further left, better is higher.
    cx = {c.find(f"{NS}title").text.split(":")[0]: float(c.get("cx") or 0) for c in circles[1:]}  # type: ignore[union-attr]
    assert cx["m1"] < cx["m2"]
    assert scatter_chart("empty", [], x_label="x", y_label="y").count("no data") == 1
