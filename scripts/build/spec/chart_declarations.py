"""Charts a spec declares over its own published columns, checked against what each column holds.

A chart names its columns by role: `x` (the time axis, the categories, or the age bands of a pyramid), `y` (the
measure) and `series` (one line, bar or stacked part per category; the two sexes of a pyramid). Each column has a
kind: `time` (dates, months, quarters, years), `ordered` (age bands, birth years: categories with an order),
`category` and `measure` (a count or a number). The build checks every role against the kinds it accepts, so a
chart cannot be declared over a column that would draw nonsense, and writes the declarations with each column's
kind, label and declared categories into the table's metadata (plugins/portal_site/contract.py TABLE_CHARTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from plugins.portal_site.contract import CHART_TYPES
from scripts.build.spec.base import Bilingual, Strict

TIME, ORDERED, CATEGORY, MEASURE = "time", "ordered", "category", "measure"
# The kinds of column each role of each chart type accepts.
ROLES = {
    "line": {"x": (TIME,), "y": (MEASURE,), "series": (CATEGORY, ORDERED)},
    "bars": {"x": (CATEGORY, ORDERED, TIME), "y": (MEASURE,), "series": (CATEGORY, ORDERED, TIME)},
    "pyramid": {"x": (ORDERED,), "y": (MEASURE,), "series": (CATEGORY,)},
    "stacked": {"x": (TIME, CATEGORY, ORDERED), "y": (MEASURE,), "series": (CATEGORY, ORDERED)},
}
NEEDS_SERIES = {"pyramid": "the column of the two sexes", "stacked": "the column whose shares are stacked"}
# The kind of a dimension by what its generaliser makes of the source column.
GENERALISED_KIND = {
    "month": TIME,
    "quarter": TIME,
    "year": TIME,
    "birth_year": ORDERED,
    "age_band_5y": ORDERED,
    "age_band_10y": ORDERED,
    "age_band_20y": ORDERED,
}
TYPE_KIND = {
    "date": TIME,
    "integer": MEASURE,
    "number": MEASURE,
    "text": CATEGORY,
    "code": CATEGORY,
    "boolean": CATEGORY,
}


class Chart(Strict):
    type: Literal[CHART_TYPES]  # the contract's list
    title: Bilingual
    x: str
    y: str
    series: str | None = None
    # bars: at most this many categories, the largest (the rest stay in the data table below the chart)
    limit: int = Field(default=12, ge=2, le=40)

    @model_validator(mode="after")
    def _series_when_needed(self) -> Chart:
        if self.type in NEEDS_SERIES and self.series is None:
            raise ValueError(f"a {self.type} chart needs 'series': {NEEDS_SERIES[self.type]}")
        if self.series is not None and self.series == self.x:
            raise ValueError(f"'series' and 'x' are both '{self.x}'; a chart needs two different columns")
        return self


@dataclass(frozen=True)
class ChartColumn:
    kind: str
    label: Bilingual
    categories: tuple[str, ...] | None = None  # in the order declared, when the spec lists them


def problems(charts: list[Chart], columns: dict[str, ChartColumn]) -> list[tuple[tuple, str]]:
    """Each unknown column or column of the wrong kind, at its location in the spec file."""
    found = []
    for index, chart in enumerate(charts):
        for role, kinds in ROLES[chart.type].items():
            name = getattr(chart, role)
            if name is None:
                continue
            at = ("charts", index, role)
            fitting = [n for n, c in columns.items() if c.kind in kinds]
            allowed = f"allowed: {', '.join(fitting) or 'none'} (its {' or '.join(kinds)} columns)"
            if name not in columns:
                found.append((at, f"unknown column '{name}'; {allowed}"))
            elif columns[name].kind not in kinds:
                found.append(
                    (
                        at,
                        f"column '{name}' is a {columns[name].kind} column; a {chart.type} chart's "
                        f"'{role}' takes another; {allowed}",
                    )
                )
            elif (
                chart.type == "pyramid"
                and role == "series"
                and columns[name].categories is not None
                and len(columns[name].categories) != 2
            ):
                found.append(
                    (
                        at,
                        f"column '{name}' has {len(columns[name].categories)} categories; a pyramid's "
                        "'series' takes a column of exactly two (the sexes)",
                    )
                )
    return found


def renamed(charts: list[Chart], rename: dict[str, str]) -> list[Chart]:
    """The charts with their columns named as published at the levels the build chose."""
    return [
        chart.model_copy(
            update={
                role: rename.get(getattr(chart, role), getattr(chart, role))
                for role in ("x", "y", "series")
                if getattr(chart, role) is not None
            }
        )
        for chart in charts
    ]


def metadata(charts: list[Chart], columns: dict[str, ChartColumn]) -> list[dict]:
    """What the dataset page reads: each chart with the kind, label and categories of the columns it uses."""
    out = []
    for chart in charts:
        used = [name for name in (chart.x, chart.series, chart.y) if name is not None]
        out.append(
            {
                "type": chart.type,
                "title": chart.title.model_dump(),
                "x": chart.x,
                "y": chart.y,
                "series": chart.series,
                "limit": chart.limit,
                "columns": {
                    name: {
                        "kind": columns[name].kind,
                        "label": columns[name].label.model_dump(),
                        "categories": list(columns[name].categories or []) or None,
                    }
                    for name in used
                    if name in columns
                },
            }
        )
    return out


def plain_columns(columns) -> dict[str, ChartColumn]:
    """Columns of a table published as delivered, by their declared type."""
    return {c.name: ChartColumn(TYPE_KIND[c.type], c.label) for c in columns}
