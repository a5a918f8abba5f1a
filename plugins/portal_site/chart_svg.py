"""Declared charts drawn as SVG on the server: no script, readable on a 360 px phone.

Every drawing is 340 units wide, so that on a phone (about 330 px of content) a unit is about a pixel and the
13- and 14-unit labels stay above 12 px; on a wide screen the stylesheet caps the width. Labels sit above the bars rather than
beside them, so long Vietnamese category names need no room beside the bars. A hidden cell is drawn as a hatched,
dashed outline (never as a zero-length bar), a lower bound (a sum that leaves hidden cells out) as its published part
with a hatched cap and "≥"; `labels()` gives the words for both.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .charts import HIDDEN, OK, PARTIAL, ChartData, Point
from .formats import number, percent
from .translations import gettext, pgettext

WIDTH = 340
FONT = 14
SMALL = 13  # the smallest text drawn (axis ticks, values): still 12.5 px where a phone shows 328 units in 340
# Colours with at least 4.5:1 against white (and white text on them), so marks and the text inside them read.
PALETTE = ("#1a5fb4", "#b33c00", "#26734d", "#8f3f71", "#5e5c64", "#805800")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
INK, GRID = "#222", "#d0d0d0"
LABEL_CHARS = 40


def words(lang: str) -> dict:
    return {
        "hidden": pgettext("chart", "hidden", lang),
        "hidden_long": gettext("hidden to protect personal data", lang),
        "at_least": gettext("at least", lang),
    }


def value_text(point: Point | None, lang: str) -> str:
    """A point's value as drawn beside its mark."""
    if point is None or point.state == HIDDEN:
        return words(lang)["hidden"]
    text = number(point.value, lang, 0 if float(point.value).is_integer() else 1)
    return f"≥ {text}" if point.state == PARTIAL else text


def _text(
    x: float, y: float, content: str, size: int = FONT, anchor: str = "start", fill: str = INK, weight: str = "normal"
) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{bold}>'
        f"{escape(content)}</text>"
    )


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def hatch_pattern(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"></rect>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#444" stroke-width="2"></line></pattern></defs>'
    )


def hidden_rect(chart_id: str, x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect class="suppressed" x="{x:.1f}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{height:.1f}" '
        f'fill="url(#{chart_id}-hatch)" stroke="#444" stroke-dasharray="3 2"></rect>'
    )


def _bar(
    chart_id: str,
    point: Point | None,
    x: float,
    y: float,
    height: float,
    scale: float,
    colour: str,
    leftward: bool = False,
) -> tuple[str, float]:
    """A bar, a lower bound's bar with its hatched cap, or a hidden cell's outline; and where its end is."""
    cap, empty = 8.0, 24.0
    if point is None or point.state == HIDDEN:
        start = x - empty if leftward else x
        return hidden_rect(chart_id, start, y, empty, height), empty
    length = max(point.value * scale, 1.0)
    start = x - length if leftward else x
    marks = [f'<rect x="{start:.1f}" y="{y:.1f}" width="{length:.1f}" height="{height:.1f}" fill="{colour}"></rect>']
    if point.state == PARTIAL:
        marks.append(hidden_rect(chart_id, start - cap if leftward else start + length, y, cap, height))
        length += cap
    return "".join(marks), length


def bars(chart: ChartData, chart_id: str, lang: str) -> tuple[str, int]:
    """Horizontal bars, a label above each category; with a series, one bar per series, named in its value."""
    values = [p.value for p in chart.points.values() if p.value is not None]
    reach = WIDTH - 110  # room for "2024: ≥ 1.234.567" after the longest bar
    scale = reach / max(values) if values and max(values) > 0 else 0
    out, y = [], 0.0
    for category in chart.categories:
        out.append(_text(0, y + FONT, _short(category)))
        y += FONT + 5
        for index, part in enumerate(chart.series):
            point = chart.points.get((category, part))
            mark, end = _bar(chart_id, point, 0, y, 14, scale, PALETTE[index % len(PALETTE)])
            label = value_text(point, lang)
            out.append(mark + _text(end + 4, y + 12, f"{part}: {label}" if part is not None else label, SMALL))
            y += 18
        y += 8
    return "".join(out), int(y)


def _ticks(top: float) -> list[float]:
    """Four or five round steps from 0 to at least `top`."""
    if top <= 0:
        return [0, 1]
    step = 10 ** len(str(int(top / 4))) / 10 if top >= 4 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if top / (step * multiple) <= 4:
            step *= multiple
            break
    count = int(-(-top // step))
    return [step * i for i in range(count + 1)]


def _marker(shape: str, x: float, y: float, colour: str, hollow: bool) -> str:
    fill, stroke = ("#fff", colour) if hollow else (colour, colour)
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="2"'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {style}></rect>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" {style}></polygon>'
        )
    if shape == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" {style}></polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {style}></circle>'


def line(chart: ChartData, chart_id: str, lang: str) -> tuple[str, int]:
    """A line per series over time, broken where a point is hidden or only a lower bound (a hollow marker)."""
    left, right, top, plot = 58, 30, 10, 180  # room for half a period's label at each end
    values = [p.value for p in chart.points.values() if p.value is not None]
    ticks = _ticks(max(values) if values else 0)
    span = ticks[-1] or 1
    count = len(chart.categories)
    step = (WIDTH - left - right) / max(count - 1, 1)

    def at(index: int) -> float:
        return left + (index * step if count > 1 else (WIDTH - left - right) / 2)

    def height(value: float) -> float:
        return top + plot - value / span * plot

    out = []
    for tick in ticks:
        out.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{height(tick):.1f}" y2="{height(tick):.1f}" '
            f'stroke="{GRID}"></line>'
        )
        out.append(_text(left - 6, height(tick) + 4, number(tick, lang), SMALL, "end"))
    every = max(1, -(-count * 64 // (WIDTH - left - right)))  # labels at least 64 units apart
    for index, category in enumerate(chart.categories):
        if index % every == 0:
            out.append(_text(at(index), top + plot + 18, category, SMALL, "middle"))
    for s, part in enumerate(chart.series):
        colour, shape = PALETTE[s % len(PALETTE)], MARKERS[s % len(MARKERS)]
        run: list[str] = []
        for index, category in enumerate(chart.categories):
            point = chart.points.get((category, part))
            if point is not None and point.state == OK:
                run.append(f"{at(index):.1f},{height(point.value):.1f}")
                continue
            out.append(_polyline(run, colour, s))
            run = []
            if point is not None and point.state == PARTIAL:
                out.append(_marker(shape, at(index), height(point.value), colour, hollow=True))
            else:
                out.append(hidden_rect(chart_id, at(index) - 5, top + plot - 10, 10, 10))
        out.append(_polyline(run, colour, s))
        for index, category in enumerate(chart.categories):
            point = chart.points.get((category, part))
            if point is not None and point.state == OK:
                out.append(_marker(shape, at(index), height(point.value), colour, hollow=False))
    return "".join(out), top + plot + 28


def _polyline(points: list[str], colour: str, index: int) -> str:
    if len(points) < 2:
        return ""
    dash = ' stroke-dasharray="6 3"' if index % 2 else ""  # lines differ by more than their colour
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}></polyline>'


def pyramid(chart: ChartData, chart_id: str, lang: str) -> tuple[str, int]:
    """The first series to the left, the second to the right, the oldest band on top."""
    middle, gap, row = WIDTH / 2, 26, 17
    reach = middle - gap - 52  # room for the value beyond the longest bar
    values = [p.value for p in chart.points.values() if p.value is not None]
    scale = reach / max(values) if values and max(values) > 0 else 0
    sides = (chart.series + [None, None])[:2]
    out = [
        _text(middle - gap, FONT, str(sides[0]), FONT, "end", weight="bold"),
        _text(middle + gap, FONT, str(sides[1]), FONT, "start", weight="bold"),
    ]
    y = FONT + 8.0
    for category in reversed(chart.categories):
        out.append(_text(middle, y + 11, category, SMALL, "middle"))
        for side, part in enumerate(sides):
            point = chart.points.get((category, part))
            leftward = side == 0
            start = middle - gap if leftward else middle + gap
            mark, end = _bar(chart_id, point, start, y + 1, row - 4, scale, PALETTE[side], leftward)
            label = value_text(point, lang)
            out.append(
                mark
                + (
                    _text(start - end - 3, y + 11, label, SMALL, "end")
                    if leftward
                    else _text(start + end + 3, y + 11, label, SMALL)
                )
            )
        y += row
    return "".join(out), int(y + 4)


def stacked(chart: ChartData, chart_id: str, lang: str) -> tuple[str, int]:
    """A bar of 100 % per category, split into the series' shares; what is hidden is one hatched segment."""
    out, y = [], 0.0
    for category in chart.categories:
        out.append(_text(0, y + FONT, _short(category)))
        y += FONT + 5
        total = share_total(chart, category)
        if total is None:
            out.append(
                hidden_rect(chart_id, 0, y, WIDTH, 20)
                + _text(WIDTH / 2, y + 15, words(lang)["hidden"], SMALL, "middle")
            )
        else:
            x = 0.0
            for index, part in enumerate(chart.series):
                point = chart.points.get((category, part))
                if point is None or point.value is None or total <= 0:
                    continue
                width = WIDTH * point.value / total
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="20" '
                    f'fill="{PALETTE[index % len(PALETTE)]}" stroke="#fff"></rect>'
                )
                if width >= 44:
                    out.append(
                        _text(x + width / 2, y + 15, percent(point.value / total, lang), SMALL, "middle", "#fff")
                    )
                x += width
            if x < WIDTH - 0.5:
                out.append(hidden_rect(chart_id, x, y, WIDTH - x, 20))
        y += 30
    return "".join(out), int(y)


def share_total(chart: ChartData, category: str) -> float | None:
    """The denominator of a category's shares: its published margin, or the sum of its parts when all are known."""
    margin = chart.totals.get(category)
    if margin is not None and margin.state == OK:
        return margin.value
    parts = [chart.points.get((category, part)) for part in chart.series]
    if parts and all(p is not None and p.state == OK for p in parts):
        return sum(p.value for p in parts)
    return None


DRAW = {"bars": bars, "line": line, "pyramid": pyramid, "stacked": stacked}


def svg(chart: ChartData, chart_id: str, lang: str, title: str, description: str) -> Markup:
    """The whole <svg>: role="img", named by its <title> and described by its <desc>."""
    body, height = DRAW[chart.declaration["type"]](chart, chart_id, lang)
    return Markup(
        f'<svg class="declared-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="system-ui, sans-serif" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{hatch_pattern(chart_id)}{body}</svg>"
    )


def swatch(kind: str, chart_id: str, index: int = 0) -> Markup:
    """A small mark for the legend: a series' colour and marker, a hidden cell, a lower bound."""
    box = '<svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true" focusable="false">'
    if kind == "hidden":
        body = (
            f'<defs><pattern id="{chart_id}-hatch-key" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"></rect><line x1="0" y1="0" '
            f'x2="0" y2="6" stroke="#444" stroke-width="2"></line></pattern></defs>'
            f'<rect x="1" y="1" width="20" height="12" fill="url(#{chart_id}-hatch-key)" stroke="#444" '
            f'stroke-dasharray="3 2"></rect>'
        )
    elif kind == "partial":
        body = _marker("circle", 11, 7, INK, hollow=True)
    else:
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 3"' if index % 2 else ""
        body = (
            f'<rect x="1" y="2" width="20" height="10" fill="{colour}"></rect>'
            if kind == "block"
            else f'<line x1="0" y1="7" x2="22" y2="7" stroke="{colour}" stroke-width="2.5"{dash}></line>'
            + _marker(MARKERS[index % len(MARKERS)], 11, 7, colour, hollow=False)
        )
    return Markup(box + body + "</svg>")
