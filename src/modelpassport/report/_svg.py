"""Inline SVG charts drawn in Python: no plotting library, no script, no network.

Every label that reaches a chart may come from a model or a file, so every piece of text is
escaped here (the charts are inserted into the page as markup, past Jinja's autoescape).
Charts are plain functions of numbers and labels, returning ``Markup``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# A colour-blind-safe qualitative palette (series) and a sequential ramp (heatmap cells).
PALETTE = ("#1f6fb2", "#d1741a", "#2e9a5b", "#b33b72", "#6f5bb5", "#8a8a2a", "#3a9bb0")
_RAMP_LOW = (240, 246, 252)
_RAMP_HIGH = (165, 35, 35)
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Bar:
    """One labelled value with an optional interval (index charts, cost bars)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    series: int = 0


@dataclass(frozen=True)
class Series:
    """A named polyline: (x, y) points in data units."""

    name: str
    points: Sequence[tuple[float, float]]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _t(text: object) -> Markup:
    # Control characters are not allowed in XML; untrusted labels may carry them.
    return escape(_CONTROL.sub("\ufffd", str(text)))


def _clip(label: str, limit: int = 36) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _label_width(labels: Sequence[str]) -> int:
    return 12 + 7 * max(len(_clip(x)) for x in labels)


def _fmt(value: float) -> str:
    if value != 0 and (abs(value) >= 1000 or abs(value) < 0.01):
        return f"{value:.3g}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:.0f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {_FONT}>'
        f"<title>{_t(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _empty(title: str, note: str = "no data") -> Markup:
    return _svg(320, 40, title, [f'<text x="8" y="24" fill="#6b7480">{_t(note)}</text>'])


def ramp(value: float) -> str:
    """Colour for a value in [0, 1] on the heatmap's light-to-red scale."""
    v = min(1.0, max(0.0, value))
    r, g, b = (round(lo + (hi - lo) * v) for lo, hi in zip(_RAMP_LOW, _RAMP_HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    title: str,
    rows: Sequence[str],
    cols: Sequence[str],
    cells: dict[tuple[str, str], tuple[float, str]],
) -> Markup:
    """A rows x cols grid; ``cells[(row, col)] = (value in [0, 1], tooltip)``; gaps stay grey.

    Why: the topic x language view shows at a glance where a model stops answering.
    """
    if not rows or not cols:
        return _empty(title)
    label_w = _label_width(rows)
    cell_w, cell_h, top = 64, 22, 26
    width = label_w + cell_w * len(cols) + 8
    height = top + cell_h * len(rows) + 8
    body: list[str] = []
    for j, col in enumerate(cols):
        x = label_w + j * cell_w + cell_w / 2
        body.append(
            f'<text x="{x:.1f}" y="16" text-anchor="middle" font-weight="600">{_t(col)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_t(_clip(row))}'
            f"<title>{_t(row)}</title></text>"
        )
        for j, col in enumerate(cols):
            x = label_w + j * cell_w
            cell = cells.get((row, col))
            fill = "#e4e6e9" if cell is None else ramp(cell[0])
            body.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{fill}">'
            )
            if cell is not None:
                body.append(f"<title>{_t(cell[1])}</title>")
            body.append("</rect>")
            if cell is not None:
                ink = "#ffffff" if cell[0] > 0.55 else "#1d232b"
                body.append(
                    f'<text x="{x + cell_w / 2 - 1}" y="{y + 15}" text-anchor="middle" '
                    f'fill="{ink}">{_t(_fmt(cell[0]))}</text>'
                )
    return _svg(width, height, title, body)


def _scale(lo: float, hi: float, start: float, end: float) -> tuple[float, float]:
    span = hi - lo or 1.0
    k = (end - start) / span
    return k, start - lo * k


def interval_chart(title: str, bars: Sequence[Bar], *, zero: bool = True) -> Markup:
    """Horizontal points with interval whiskers, one row per label, a zero line.

    Why: an index without its interval invites reading noise as a difference.
    """
    shown = [b for b in bars if b.value is not None]
    if not shown:
        return _empty(title)
    values = [v for b in shown for v in (b.value, b.low, b.high) if v is not None]
    lo = min([*values, 0.0] if zero else values)
    hi = max([*values, 0.0] if zero else values)
    pad = (hi - lo) * 0.08 or 0.1
    lo, hi = lo - pad, hi + pad
    label_w = _label_width([b.label for b in bars])
    plot_w, row_h, top = 360, 22, 8
    width = label_w + plot_w + 70
    height = top + row_h * len(bars) + 26
    k, c = _scale(lo, hi, label_w, label_w + plot_w)
    body: list[str] = []
    if zero:
        x0 = k * 0.0 + c
        body.append(
            f'<line x1="{x0:.1f}" y1="{top}" x2="{x0:.1f}" y2="{height - 22}" '
            'stroke="#8b939c" stroke-dasharray="3 3"/>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row_h + row_h / 2
        body.append(
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_t(_clip(bar.label))}</text>"
        )
        if bar.value is None:
            body.append(f'<text x="{label_w + 4}" y="{y + 4:.1f}" fill="#6b7480">n/a</text>')
            continue
        colour = PALETTE[bar.series % len(PALETTE)]
        if bar.low is not None and bar.high is not None:
            body.append(
                f'<line class="whisker" x1="{k * bar.low + c:.1f}" y1="{y:.1f}" '
                f'x2="{k * bar.high + c:.1f}" y2="{y:.1f}" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        text = _fmt(bar.value)
        if bar.low is not None and bar.high is not None:
            text += f" [{_fmt(bar.low)}, {_fmt(bar.high)}]"
        body.append(
            f'<circle class="point" cx="{k * bar.value + c:.1f}" cy="{y:.1f}" r="4" '
            f'fill="{colour}"><title>{_t(bar.label)}: {_t(text)}</title></circle>'
        )
        body.append(
            f'<text x="{label_w + plot_w + 4}" y="{y + 4:.1f}">{_t(_fmt(bar.value))}</text>'
        )
    axis_y = height - 8
    body.append(f'<text x="{label_w}" y="{axis_y}" fill="#6b7480">{_t(_fmt(lo))}</text>')
    body.append(
        f'<text x="{label_w + plot_w}" y="{axis_y}" text-anchor="end" fill="#6b7480">'
        f"{_t(_fmt(hi))}</text>"
    )
    return _svg(width, height, title, body)


def bar_chart(title: str, bars: Sequence[Bar], *, unit: str = "") -> Markup:
    """Horizontal bars from zero (cost per Mtok across offers and models).

    Why: cost comparisons are read as lengths; a log scale would hide a 10x gap.
    """
    shown = [b.value for b in bars if b.value is not None]
    if not shown:
        return _empty(title)
    hi = max(max(shown), 0.0) or 1.0
    label_w = _label_width([b.label for b in bars])
    plot_w, row_h = 320, 22
    width = label_w + plot_w + 90
    height = row_h * len(bars) + 10
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_t(_clip(bar.label))}</text>'
        )
        if bar.value is None:
            body.append(f'<text x="{label_w + 4}" y="{y + 14}" fill="#6b7480">n/a</text>')
            continue
        w = max(1.0, plot_w * max(bar.value, 0.0) / hi)
        colour = PALETTE[bar.series % len(PALETTE)]
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{w:.1f}" height="16" '
            f'fill="{colour}"><title>{_t(bar.label)}: {_t(_fmt(bar.value))} {_t(unit)}'
            "</title></rect>"
        )
        body.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{_t(_fmt(bar.value))} {_t(unit)}</text>'
        )
    return _svg(width, height, title, body)


def _ticks(lo: float, hi: float) -> list[float]:
    step = 10 ** math.floor(math.log10((hi - lo) or 1.0))
    while (hi - lo) / step > 6:
        step *= 2
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


def _axes(
    bounds: tuple[float, float, float, float],
    box: tuple[int, int, int, int],
    height: int,
    x_label: str,
    y_label: str,
) -> tuple[float, float, float, float, list[str]]:
    """The plot frame of an x/y chart: its border, tick labels and axis labels, and the scales
    (x = kx * value + cx, y = ky * value + cy) that place points inside it."""
    x_lo, x_hi, y_lo, y_hi = bounds
    left, top, plot_w, plot_h = box
    kx, cx = _scale(x_lo, x_hi, left, left + plot_w)
    ky, cy = _scale(y_lo, y_hi, top + plot_h, top)
    body = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#c5cad1"/>'
    ]
    for tx in _ticks(x_lo, x_hi):
        body.append(
            f'<text x="{kx * tx + cx:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'fill="#6b7480">{_t(_fmt(tx))}</text>'
        )
    for ty in _ticks(y_lo, y_hi):
        body.append(
            f'<text x="{left - 4}" y="{ky * ty + cy + 4:.1f}" text-anchor="end" '
            f'fill="#6b7480">{_t(_fmt(ty))}</text>'
        )
    body.append(
        f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{_t(x_label)}</text>'
    )
    body.append(
        f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">{_t(y_label)}</text>'
    )
    return kx, cx, ky, cy, body


def line_chart(title: str, series: Sequence[Series], *, x_label: str, y_label: str) -> Markup:
    """Polylines with markers on shared linear axes (throughput vs latency, one per model).

    Why: the serving trade-off is a curve, not a number; each point is one measured load.
    """
    pts = [p for s in series for p in s.points]
    if not pts:
        return _empty(title)
    x_lo, x_hi = 0.0, max(p[0] for p in pts) * 1.08 or 1.0
    y_lo, y_hi = 0.0, max(p[1] for p in pts) * 1.12 or 1.0
    left, top, plot_w, plot_h = 56, 10, 420, 200
    width, height = left + plot_w + 160, top + plot_h + 44
    kx, cx, ky, cy, body = _axes(
        (x_lo, x_hi, y_lo, y_hi), (left, top, plot_w, plot_h), height, x_label, y_label
    )
    for idx, s in enumerate(series):
        colour = PALETTE[idx % len(PALETTE)]
        coords = " ".join(f"{kx * x + cx:.1f},{ky * y + cy:.1f}" for x, y in s.points)
        body.append(
            f'<polyline class="series" points="{coords}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        for x, y in s.points:
            body.append(
                f'<circle cx="{kx * x + cx:.1f}" cy="{ky * y + cy:.1f}" r="3" '
                f'fill="{colour}"><title>{_t(s.name)}: {_t(_fmt(x))}, {_t(_fmt(y))}'
                "</title></circle>"
            )
        ly = top + 12 + idx * 16
        body.append(
            f'<rect x="{left + plot_w + 10}" y="{ly - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + plot_w + 24}" y="{ly}">'
            f"{_t(s.name[:22])}</text>"
        )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Point:
    """One labelled (x, y) point of a scatter; ``front`` marks it on the Pareto front."""

    label: str
    x: float
    y: float
    front: bool = False
    series: int = 0


def pareto_front(points: Sequence[tuple[float, float]]) -> list[bool]:
    """For (cost, quality) pairs, which are not dominated: no other point is at most as costly
    and at least as good, and strictly better in one.

    Why: of two models, the one that costs more and does no better is never the right choice;
    the front is the short list a buyer chooses from.
    """
    flags = []
    for i, (cost, quality) in enumerate(points):
        dominated = any(
            c <= cost and q >= quality and (c < cost or q > quality)
            for j, (c, q) in enumerate(points)
            if j != i
        )
        flags.append(not dominated)
    return flags


def scatter_chart(title: str, points: Sequence[Point], *, x_label: str, y_label: str) -> Markup:
    """Labelled points on linear axes from zero, the Pareto front joined by a line.

    Why: capability against cost is a trade-off that people read at a glance from a plot and
    slowly from a table; the front line shows which models are worth their price.
    """
    if not points:
        return _empty(title)
    x_lo, x_hi = min(0.0, *(p.x for p in points)), max(p.x for p in points) * 1.1 or 1.0
    y_lo, y_hi = min(0.0, *(p.y for p in points)), max(p.y for p in points) * 1.12 or 1.0
    left, top, plot_w, plot_h = 56, 10, 420, 220
    width, height = left + plot_w + 170, top + plot_h + 44
    kx, cx, ky, cy, body = _axes(
        (x_lo, x_hi, y_lo, y_hi), (left, top, plot_w, plot_h), height, x_label, _clip(y_label, 40)
    )
    front = sorted((p for p in points if p.front), key=lambda p: (p.x, p.y))
    if len(front) > 1:
        coords = " ".join(f"{kx * p.x + cx:.1f},{ky * p.y + cy:.1f}" for p in front)
        body.append(
            f'<polyline class="front" points="{coords}" fill="none" stroke="#2e9a5b" '
            'stroke-width="2" stroke-dasharray="5 3"/>'
        )
    for p in points:
        colour = PALETTE[p.series % len(PALETTE)]
        px, py = kx * p.x + cx, ky * p.y + cy
        ring = ' stroke="#2e9a5b" stroke-width="3"' if p.front else ""
        body.append(
            f'<circle class="point{" on-front" if p.front else ""}" cx="{px:.1f}" '
            f'cy="{py:.1f}" r="5" fill="{colour}"{ring}><title>{_t(p.label)}: '
            f"{_t(_fmt(p.x))}, {_t(_fmt(p.y))}</title></circle>"
        )
        body.append(f'<text x="{px + 8:.1f}" y="{py + 4:.1f}">{_t(_clip(p.label, 24))}</text>')
    return _svg(width, height, title, body)
