"""The figures of the charts a dataset's spec declares, read from its published table.

A chart shows one value per category of `x` (and of `series`); the table has more dimensions, which must be
added up. Count tables publish those sums themselves as margin rows ("Tổng"), so each point is read from its margin
row when that is published. When the margin is hidden, the point is the sum of the finest published cells; it is
exact only when none of the cells summed is hidden, otherwise it is a lower bound and is drawn and said to be one.
A hidden cell is never read as 0: SQL's sum() leaves out the NULL of a suppressed cell, and the number of hidden
cells is counted beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from datasette.utils import escape_sqlite

from .contract import MARGIN, SUPPRESSION_COLUMN, TABLE_CHARTS

OK, PARTIAL, HIDDEN = "ok", "partial", "hidden"


@dataclass
class Point:
    value: float | None  # None when nothing of it is published
    state: str  # OK (exact), PARTIAL (the published part of a sum; hidden cells left out), HIDDEN
    hidden_cells: int = 0


@dataclass
class ChartData:
    declaration: dict
    categories: list[str]  # x, in the order drawn
    series: list[str | None]  # [None] without a series column
    points: dict[tuple[str, str | None], Point]
    totals: dict[str, Point] = field(default_factory=dict)  # per category, over the series (stacked shares)
    left_out: int = 0  # categories beyond the declared limit (bars), still in the data table

    def drawn(self) -> list[Point]:
        """The points of the categories drawn (a bar chart's limit leaves some out)."""
        return [p for (category, _), p in self.points.items() if category in self.categories] + [
            p for category, p in self.totals.items() if category in self.categories
        ]

    @property
    def has_hidden(self) -> bool:
        return any(p.state != OK for p in self.drawn())

    @property
    def has_partial(self) -> bool:
        return any(p.state == PARTIAL for p in self.drawn())


def natural_key(value: object) -> tuple:
    """Numbers inside labels compared as numbers: age bands 0-4, 5-9, 10-14, ..., 90+; 2024-Q1 before 2024-Q2."""
    parts = re.split(r"(\d+)", str(value))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def ordered(values: set[str], column: dict) -> list[str]:
    """Categories in their natural order: as the spec declares them, else by the numbers they hold."""
    declared = column.get("categories") or []
    return [v for v in declared if v in values] + sorted((v for v in values if v not in declared), key=natural_key)


def _sql(table: str, x: str, series: str | None, y: str, others: list[str]) -> str:
    """One row per (x, series): the margin row over the other dimensions, and the sum of their finest cells."""
    q = escape_sqlite
    margin = " and ".join(f"{q(c)} = :margin" for c in others) or "0"
    finest = " and ".join(f"{q(c)} != :margin" for c in others) or "1"
    hidden = f"{q(SUPPRESSION_COLUMN)} is not null"
    keys = [q(x)] + ([q(series)] if series else [])
    return (
        f"select {', '.join(keys)}, "
        f"max(case when {margin} and not ({hidden}) then {q(y)} end) as margin_value, "
        f"max(case when {margin} then 1 else 0 end) as margin_present, "
        f"sum(case when {finest} then {q(y)} end) as finest_sum, "
        f"sum(case when {finest} and {hidden} then 1 else 0 end) as finest_hidden, "
        f"sum(case when {finest} then 1 else 0 end) as finest_cells "
        f"from {q(table)} group by {', '.join(keys)}"
    )


def _plain_sql(table: str, x: str, series: str | None, y: str) -> str:
    """A table published as delivered has no margins and hides nothing: the sums of its rows."""
    q = escape_sqlite
    keys = [q(x)] + ([q(series)] if series else [])
    return (
        f"select {', '.join(keys)}, null as margin_value, 0 as margin_present, sum({q(y)}) as finest_sum, "
        f"0 as finest_hidden, count(*) as finest_cells from {q(table)} group by {', '.join(keys)}"
    )


def _point(row) -> Point:
    if row["margin_value"] is not None:
        return Point(row["margin_value"], OK)
    if not row["finest_cells"] or row["finest_sum"] is None:
        return Point(None, HIDDEN, row["finest_hidden"] or 0)
    state = PARTIAL if row["finest_hidden"] else OK
    return Point(row["finest_sum"], state, row["finest_hidden"])


async def chart_data(db, table: str, declaration: dict, columns: list[str]) -> ChartData | None:
    """The points of one declared chart; None when the table lacks a column the declaration names."""
    x, y, series = declaration["x"], declaration["y"], declaration.get("series")
    if not {x, y, series or x} <= set(columns):
        return None
    counted = SUPPRESSION_COLUMN in columns
    others = [c for c in columns if c not in (x, y, series, SUPPRESSION_COLUMN)]
    sql = _sql(table, x, series, y, others) if counted else _plain_sql(table, x, series, y)
    rows = (await db.execute(sql, {"margin": MARGIN} if counted else {})).rows
    points, totals = {}, {}
    for row in rows:
        category, part = row[0], (row[1] if series else None)
        if category is None or category == MARGIN:
            continue
        if part == MARGIN and series:
            totals[str(category)] = _point(row)
        elif not (series and part is None):
            points[(str(category), None if part is None else str(part))] = _point(row)
    described = declaration.get("columns") or {}
    categories = ordered({c for c, _ in points}, described.get(x, {}))
    parts = ordered({s for _, s in points if s is not None}, described.get(series, {})) if series else [None]
    left_out = 0
    if declaration["type"] == "bars" and (described.get(x, {}).get("kind") == "category"):

        def size(category: str) -> float:
            total = totals.get(category)
            if total is not None and total.value is not None:
                return total.value
            return sum(points[(category, s)].value or 0 for s in parts if (category, s) in points)

        categories.sort(key=lambda c: -size(c))  # the largest first: a reader compares lengths
        limit = declaration.get("limit") or len(categories)
        left_out, categories = max(0, len(categories) - limit), categories[:limit]
    return ChartData(declaration, categories, parts, points, totals, left_out)


async def declared(db, table: str, metadata: dict, columns: list[str]) -> list[ChartData]:
    """Every chart the table's spec declares that its columns can draw."""
    charts = []
    for declaration in metadata.get(TABLE_CHARTS) or []:
        data = await chart_data(db, table, declaration, columns)
        if data is not None and data.categories:
            charts.append(data)
    return charts
