"""The first rows of a dataset, for a preview table on its page: headed by the columns' labels, each value written
as a reader of the page's language writes numbers and dates (vi: 3.300 and 05/12/2026; en: 3,300 and 5 Dec 2026).

A suppressed cell says so in words ("ẩn" / "hidden"), as on the table page.

Only rows the visitor may already read: the page that shows them is answered only to those who may view the table.
"""

from __future__ import annotations

from datasette.utils import escape_sqlite

from . import table_text

ROWS = 10


def _shown(value, name: str, table: str, row, names: list[str], lang: str):
    """A value as the table page writes it (table_text.cell: numbers and dates in the language, suppressed cells in
    words); any other as it is."""
    shown = table_text.cell(value, name, table, dict(zip(names, row)), lang)
    if shown is not None:
        return shown
    return "" if value is None else str(value)


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
        "rows": [[_shown(value, name, table, row, names, lang) for name, value in zip(names, row)] for row in rows],
    }
