"""SVG charts of cohort tables, drawn only from published cells (a suppressed share is
drawn as a hatched "hidden" segment of unknown size, never as its value)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from profdiag._report.charts import _n, _svg, _text

PALETTE = (
    "#1f4e79",
    "#5b9bd5",
    "#a9cce3",
    "#f4b183",
    "#c55a11",
    "#7f7f7f",
    "#bfbfbf",
    "#548235",
    "#a9d18e",
    "#ffd966",
    "#8e7cc3",
    "#d5a6bd",
)
HIDDEN = "#ffffff"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def stacked_bars(
    bars: Sequence[tuple[str, Sequence[float | None]]], title: str, hidden_label: str
) -> Markup:
    """One horizontal bar per group: its published shares in category order; what the
    suppressed cells hold together is one hatched segment at the end."""
    label_width, bar_width, height = 150.0, 330.0, 18.0
    body = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" '
        'stroke-width="2"/></pattern></defs>'
    ]
    for row, (label, shares) in enumerate(bars):
        y = 4 + row * (height + 6)
        body.append(_text(label_width - 6, y + 13, label, size=9, anchor="end"))
        x = label_width
        for index, share in enumerate(shares):
            if share is None or share <= 0:
                continue
            width = bar_width * share
            body.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
                f'fill="{colour(index)}"/>'
            )
            x += width
        rest = label_width + bar_width - x
        if any(share is None for share in shares) and rest > 0.5:
            body.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(rest)}" height="{_n(height)}" '
                'fill="url(#hatch)" stroke="#999" stroke-width="0.5"/>'
            )
    total_height = 8 + len(bars) * (height + 6)
    del hidden_label
    return _svg(label_width + bar_width + 10, total_height, body, title)


def dots(points: Sequence[tuple[str, float | None]], low: float, high: float, title: str) -> Markup:
    """Group means as dots on one scale from `low` to `high`; a suppressed mean leaves its
    line empty."""
    label_width, width, step = 150.0, 300.0, 18.0
    span = (high - low) or 1.0
    body = []
    for row, (label, value) in enumerate(points):
        y = 10 + row * step
        body.append(_text(label_width - 6, y + 4, label, size=9, anchor="end"))
        body.append(
            f'<line x1="{_n(label_width)}" y1="{_n(y)}" x2="{_n(label_width + width)}" '
            f'y2="{_n(y)}" stroke="#ddd"/>'
        )
        if value is not None:
            x = label_width + width * (value - low) / span
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour(0)}"/>')
            body.append(_text(label_width + width + 6, y + 4, f"{value:.2f}", size=9))
    axis_y = 10 + len(points) * step
    body.append(_text(label_width, axis_y + 4, _n(low), size=8))
    body.append(_text(label_width + width, axis_y + 4, _n(high), size=8, anchor="end"))
    return _svg(label_width + width + 50, axis_y + 10, body, title)


def trend_lines(
    years: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> Markup:
    """One line per category over the years (shares 0-1); a suppressed year breaks it."""
    left, width, height = 40.0, 330.0, 140.0
    body = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = 10 + height * (1 - tick)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + width)}" y2="{_n(y)}" '
            'stroke="#eee"/>'
        )
        body.append(_text(left - 4, y + 3, f"{int(tick * 100)}%", size=8, anchor="end"))
    step = width / max(len(years) - 1, 1)
    for index, year in enumerate(years):
        body.append(_text(left + index * step, height + 24, year, size=8, anchor="middle"))
    for number, (_label, values) in enumerate(series):
        points = [
            (left + i * step, 10 + height * (1 - v)) for i, v in enumerate(values) if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour(number)}" '
                'stroke-width="2"/>'
            )
        for x, y in points:
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{colour(number)}"/>')
    return _svg(left + width + 20, height + 32, body, title)
