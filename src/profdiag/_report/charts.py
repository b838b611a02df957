"""SVG charts for the reports, legible in greyscale print.

Each function returns a fragment as Markup: numbers are formatted by us and every text
is escaped, so the templates can include it as it is. The font is named on the <svg>
element itself (inline SVG text does not inherit the page's font).

A bar profile's names and values are HTML text laid over its SVG (`.bar-chart` in
style.css): WeasyPrint sets SVG text one letter at a time, a Pango layout and a text
object per letter, and the charts' labels were a tenth of a report's rendering time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "Liberation Sans"
_INK = "#222"
_BAR = "#6b6b6b"
_SHADE = "#e2e2e2"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    low: float | None = None  # confidence band
    high: float | None = None
    note: str = ""  # shown after the value, e.g. a band label


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 11,
    anchor: str = "start",
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{_INK}">{escape(text)}</text>'
    )


def _label_row(text: str, *, width: float, size: float = 11) -> str:
    """One bar's name, right-aligned in a row of the label column; on two lines (and
    smaller) when it would not fit in `width`."""
    per_char = 0.55 * size  # Liberation Sans averages about half an em per character
    if len(text) * per_char <= width:
        return f"<div>{escape(text)}</div>"
    words, first = text.split(), ""
    while words and len(first + " " + words[0]) * per_char * 0.9 <= width:
        first = (first + " " + words.pop(0)).strip()
    second = " ".join(words)
    if not first:
        return f'<div class="two">{escape(second)}</div>'
    return f'<div class="two">{escape(first)}<br/>{escape(second)}</div>'


def _column(kind: str, left: float, rows: list[str], width: float | None = None) -> str:
    place = f"left:{_n(left)}px" + (f";width:{_n(width)}px" if width is not None else "")
    return f'<div class="{kind}" style="{place}">{"".join(rows)}</div>'


def _svg(width: float, height: float, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT}" role="img">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_profile(
    bars: Sequence[Bar],
    *,
    minimum: float,
    maximum: float,
    shaded: tuple[float, float] | None = None,
    ticks: Sequence[float] = (),
    title: str,
    width: float = 620,
    number: Callable[[float], str] = _n,
) -> Markup:
    """Horizontal bars with confidence bands; `shaded` marks the typical range (T 40-60).
    `number` writes values and tick labels (the report language's decimal sign)."""
    label_width, value_width, row = 210.0, 90.0, 26.0
    plot_left, plot_width = label_width, width - label_width - value_width
    height = row * len(bars) + 34

    def x(value: float) -> float:
        share = (min(max(value, minimum), maximum) - minimum) / (maximum - minimum)
        return plot_left + share * plot_width

    body: list[str] = []
    if shaded is not None:
        body.append(
            f'<rect x="{_n(x(shaded[0]))}" y="4" width="{_n(x(shaded[1]) - x(shaded[0]))}" '
            f'height="{_n(row * len(bars))}" fill="{_SHADE}"/>'
        )
    for tick in ticks:
        body.append(
            f'<line x1="{_n(x(tick))}" y1="4" x2="{_n(x(tick))}" '
            f'y2="{_n(row * len(bars) + 6)}" stroke="#999" stroke-width="0.6" '
            f'stroke-dasharray="2,2"/>'
        )
        body.append(_text(x(tick), row * len(bars) + 20, number(tick), size=9, anchor="middle"))
    names: list[str] = []  # one row per bar in each column
    values: list[str] = []
    dashes: list[str] = []  # a dash at the start of the bar for a missing value
    for k, bar in enumerate(bars):
        top = 4 + k * row
        names.append(_label_row(bar.label, width=label_width - 12))
        if bar.value is None or math.isnan(bar.value):
            values.append("<div></div>")
            dashes.append(
                f'<span class="bar-dash" style="top:{_n(top)}px;left:{_n(plot_left + 4)}px">'
                "—</span>"
            )
            continue
        body.append(
            f'<rect x="{_n(plot_left)}" y="{_n(top + 6)}" '
            f'width="{_n(x(bar.value) - plot_left)}" height="{_n(row - 12)}" '
            f'fill="{_BAR}"/>'
        )
        if bar.low is not None and bar.high is not None:
            middle = top + row / 2
            body.append(
                f'<line x1="{_n(x(bar.low))}" y1="{_n(middle)}" x2="{_n(x(bar.high))}" '
                f'y2="{_n(middle)}" stroke="{_INK}" stroke-width="1.5"/>'
            )
            for end in (bar.low, bar.high):
                body.append(
                    f'<line x1="{_n(x(end))}" y1="{_n(middle - 5)}" x2="{_n(x(end))}" '
                    f'y2="{_n(middle + 5)}" stroke="{_INK}" stroke-width="1.5"/>'
                )
        value_text = number(bar.value) + (f"\u00a0{bar.note}" if bar.note else "")
        values.append(f"<div>{escape(value_text)}</div>")
    chart = str(_svg(width, height, body, title))
    texts = (
        _column("bar-labels", 4, names, width=label_width - 12)
        + _column("bar-values", plot_left + plot_width + 8, values)
        + "".join(dashes)
    )
    return Markup(f'<div class="bar-chart" style="width:{_n(width)}px">{chart}{texts}</div>')


def hexagon(
    letters: Sequence[str],
    values: Sequence[float | None],
    *,
    maximum: float,
    title: str,
    size: float = 260,
) -> Markup:
    """The six RIASEC scores on Holland's hexagon (R at the top, clockwise)."""
    centre, radius = size / 2, size / 2 - 34
    body: list[str] = []

    def point(k: int, share: float) -> tuple[float, float]:
        angle = -math.pi / 2 + k * math.pi / 3
        return centre + share * radius * math.cos(angle), centre + share * radius * math.sin(angle)

    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(
            f"{_n(px)},{_n(py)}" for px, py in (point(k, ring) for k in range(6))
        )
        body.append(
            f'<polygon points="{ring_points}" fill="none" stroke="#bbb" '
            f'stroke-width="{1.2 if ring == 1.0 else 0.6}"/>'
        )
    for k in range(6):
        px, py = point(k, 1.0)
        body.append(
            f'<line x1="{_n(centre)}" y1="{_n(centre)}" x2="{_n(px)}" y2="{_n(py)}" '
            f'stroke="#bbb" stroke-width="0.6"/>'
        )
        lx, ly = point(k, 1.18)
        body.append(_text(lx, ly + 4, letters[k], size=13, anchor="middle", weight="bold"))
    shares = [
        0.0 if v is None or math.isnan(v) else max(0.0, min(v / maximum, 1.0)) for v in values
    ]
    shape = " ".join(f"{_n(px)},{_n(py)}" for px, py in (point(k, s) for k, s in enumerate(shares)))
    body.append(
        f'<polygon points="{shape}" fill="{_BAR}" fill-opacity="0.45" stroke="{_INK}" '
        f'stroke-width="1.6"/>'
    )
    for k, share in enumerate(shares):
        px, py = point(k, share)
        body.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3" fill="{_INK}"/>')
    return _svg(size, size, body, title)
