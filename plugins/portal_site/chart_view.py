"""What templates/_charts.html shows of each declared chart: its SVG, legend, notes and the data table behind it.

The table is the chart's text alternative: every value drawn, in the reader's language, and in words what is
hidden ("bị ẩn để bảo vệ dữ liệu cá nhân") or only a lower bound, never a bare blank or 0.
"""

from __future__ import annotations

from . import chart_svg, charts
from .charts import HIDDEN, PARTIAL, ChartData, Point
from .formats import number, percent
from .translations import N_, gettext

KINDS = {
    "line": N_("Line chart"),
    "bars": N_("Bar chart"),
    "pyramid": N_("Population pyramid"),
    "stacked": N_("Stacked shares"),
}


def _label(column: dict | None, name: str, lang: str) -> str:
    return ((column or {}).get("label") or {}).get(lang) or name


def cell_text(point: Point | None, lang: str) -> str:
    """A value of the data table, saying in words when it is hidden or a lower bound."""
    if point is None:
        return "—"
    if point.state == HIDDEN:
        return chart_svg.words(lang)["hidden_long"]
    value = number(point.value, lang, 0 if float(point.value).is_integer() else 1)
    if point.state == PARTIAL:
        cells = number(point.hidden_cells, lang)
        return gettext("at least %(value)s (sum of the published cells; %(cells)s hidden cells not added)", lang) % {
            "value": value,
            "cells": cells,
        }
    return value


def table(chart: ChartData, lang: str) -> dict:
    declaration, columns = chart.declaration, chart.declaration.get("columns") or {}
    x, series, y = declaration["x"], declaration.get("series"), declaration["y"]
    stacked = declaration["type"] == "stacked"
    headers = [_label(columns.get(x), x, lang)]
    headers += [str(part) for part in chart.series] if series else [_label(columns.get(y), y, lang)]
    if stacked:
        headers.append(gettext("Total", lang))
    rows = []
    for category in chart.categories:
        total = chart_svg.share_total(chart, category) if stacked else None
        cells = []
        for part in chart.series:
            point = chart.points.get((category, part))
            text = cell_text(point, lang)
            if total and point is not None and point.value is not None:
                text += f" ({percent(point.value / total, lang)})"
            cells.append(text)
        if stacked:
            cells.append(
                cell_text(chart.totals.get(category), lang)
                if chart.totals.get(category)
                else (number(total, lang) if total else chart_svg.words(lang)["hidden_long"])
            )
        rows.append({"header": str(category), "cells": cells})
    return {"headers": headers, "rows": rows}


def description(chart: ChartData, lang: str) -> str:
    declaration, columns = chart.declaration, chart.declaration.get("columns") or {}
    x, series, y = declaration["x"], declaration.get("series"), declaration["y"]
    kind = KINDS[declaration["type"]]
    names = {
        "kind": gettext(kind, lang),
        "measure": _label(columns.get(y), y, lang),
        "dimension": _label(columns.get(x), x, lang).lower(),
    }
    if series:
        text = gettext("%(kind)s: %(measure)s by %(dimension)s and %(series)s", lang) % dict(
            names, series=_label(columns.get(series), series, lang).lower()
        )
    else:
        text = gettext("%(kind)s: %(measure)s by %(dimension)s", lang) % names
    hidden = sum(1 for p in chart.drawn() if p.state != charts.OK)
    if hidden:
        text += "; " + gettext("%(count)s values hidden or only a lower bound", lang) % {"count": number(hidden, lang)}
    return text + ". " + gettext("The figures are in the table below.", lang)


def legend(chart: ChartData, chart_id: str, lang: str) -> list[dict]:
    declaration = chart.declaration
    entries = []
    if declaration.get("series"):
        kind = "line" if declaration["type"] == "line" else "block"
        entries += [
            {"swatch": chart_svg.swatch(kind, chart_id, index), "text": str(part)}
            for index, part in enumerate(chart.series)
        ]
    if chart.has_hidden:
        entries.append({"swatch": chart_svg.swatch("hidden", chart_id), "text": chart_svg.words(lang)["hidden_long"]})
    if chart.has_partial:
        entries.append(
            {
                "swatch": chart_svg.swatch("partial", chart_id),
                "text": gettext(
                    "≥ or hollow marker: only the published cells added up; some hidden cells left out", lang
                ),
            }
        )
    return entries


def view(chart: ChartData, index: int, lang: str, others: list[str]) -> dict:
    """Everything the partial template needs for one chart."""
    chart_id = f"chart-{index + 1}"
    title = chart.declaration["title"]["en" if lang == "en" else "vi"]
    notes = []
    if others:
        notes.append(
            gettext(
                "Each value is the table's total row over %(columns)s; where that total is hidden, "
                "the sum of the published detailed cells.",
                lang,
            )
            % {"columns": ", ".join(others)}
        )
    if chart.left_out:
        notes.append(
            gettext("%(count)s smaller items not drawn; see them all in the data.", lang)
            % {"count": number(chart.left_out, lang)}
        )
    return {
        "id": chart_id,
        "title": title,
        "svg": chart_svg.svg(chart, chart_id, lang, title, description(chart, lang)),
        "legend": legend(chart, chart_id, lang),
        "notes": notes,
        "table": table(chart, lang),
    }


async def views(db, table_name: str, metadata: dict, columns: list[str], lang: str) -> list[dict]:
    """The declared charts of a table, ready for the page; [] when it declares none."""
    out = []
    for index, chart in enumerate(await charts.declared(db, table_name, metadata, columns)):
        used = {
            chart.declaration["x"],
            chart.declaration["y"],
            chart.declaration.get("series"),
            charts.SUPPRESSION_COLUMN,
        }
        others = [c for c in columns if c not in used] if charts.SUPPRESSION_COLUMN in columns else []
        out.append(view(chart, index, lang, others))
    return out
