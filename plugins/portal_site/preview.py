"""The first rows of a dataset, for a preview table on its page: headed by the columns' labels, each value written
as a reader of the page's language writes numbers and dates (vi: 3.300 and 05/12/2026; en: 3,300 and 5 Dec 2026).

A suppressed cell says so in words ("ẩn" / "hidden"), as on the table page.

Only rows the visitor may already read: the page that shows them is answered only to those who may view the table.
"""

from __future__ import annotations

import datetime as dt
import re

from datasette.utils import escape_sqlite

from . import contract, table_text

ROWS = 10
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: float, lang: str) -> str:
    """3300 → "3.300" (vi) or "3,300" (en); 20.9393 → "20,9393" (vi) or "20.9393" (en)."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.15g}" if abs(value) >= 1000 else repr(value)
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def date(text: str, lang: str) -> str:
    """An ISO date as the reader writes it; any other text as it is."""
    if not ISO_DATE.match(text):
        return text
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day:%d/%m/%Y}" if lang == "vi" else f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def cell(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | bytes):
        return str(value)
    if isinstance(value, int | float):
        return number(value, lang)
    return date(str(value), lang)


def _marked(value, name: str, table: str, row, names: list[str], lang: str):
    """The suppressed marker and a suppressed row's empty count as table_text writes them; any other value by cell()."""
    if name == contract.SUPPRESSION_COLUMN or value is None:
        shown = table_text.cell(value, name, table, dict(zip(names, row)), lang)
        if shown is not None:
            return shown
    return cell(value, lang)


async def preview(db, table: str, dictionary: list[dict], lang: str) -> dict | None:
    """The first ROWS rows in stored order (the order of the downloads), with each column's name and label."""
    if not dictionary:
        return None
    names = [column["name"] for column in dictionary]
    sql = (
        f"select {', '.join(escape_sqlite(name) for name in names)} from {escape_sqlite(table)} "
        f"order by rowid limit {ROWS}"
    )
    rows = (await db.execute(sql)).rows
    if not rows:
        return None
    label = "label_en" if lang == "en" else "label_vi"
    return {
        "columns": [{"name": column["name"], "label": column.get(label) or column["name"]} for column in dictionary],
        "rows": [[_marked(value, name, table, row, names, lang) for name, value in zip(names, row)] for row in rows],
    }
