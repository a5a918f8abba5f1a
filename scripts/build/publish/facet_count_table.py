"""Facet counts worked out once, at build time: a hidden table beside each large table with declared facets.

A table page counts the rows that match its filters and groups them by each default facet. On a table of hundreds
of thousands of rows a filter that keeps half of them (`identification_level = 'Mức 2'`) makes every page read
that half once for the count and once per facet, about 0.2 s each time a new combination of filters is asked. Those
numbers depend only on the facet columns, so the build groups the table once by all of them together: for any
equality filters on facet columns, a count or a facet is a sum over that much smaller table. The portal uses it in
place of the table when a page's SQL allows (plugins/facet_counts.py), and runs the SQL on the table otherwise.

The counts are those of rows already published in the same database, so they disclose nothing a visitor could not
count there; the table is hidden from the lists, not from its database's permissions.
"""

from __future__ import annotations

import sqlite_utils

from plugins.portal_site.contract import FACET_COUNTS_COLUMN, facet_counts_table

# Below this many rows every facet of a page is counted in a few milliseconds.
MINIMUM_ROWS = 5_000
# A grouping with more than this share of the table's rows is barely smaller than the table: not kept.
LARGEST_SHARE = 0.25


def worth_counting(facets: list[str], rows: int) -> bool:
    return bool(facets) and rows >= MINIMUM_ROWS and FACET_COUNTS_COLUMN not in facets


def write_facet_counts(db: sqlite_utils.Database, table: str, facets: list[str], rows: int) -> bool:
    """Write the facet counts of `table`; False (and nothing written) when the grouping would not pay for itself."""
    if not worth_counting(facets, rows):
        return False
    declared = {column.name: column.type for column in db[table].columns}
    name = facet_counts_table(table)
    # The facet columns keep their declared types, so that `column = :value` compares exactly as on the table.
    columns = ", ".join(f"[{column}] {declared[column]}" for column in facets)
    picked = ", ".join(f"[{column}]" for column in facets)
    db.execute(f"CREATE TABLE [{name}] ({columns}, [{FACET_COUNTS_COLUMN}] INTEGER NOT NULL)")
    db.execute(f"INSERT INTO [{name}] SELECT {picked}, count(*) FROM [{table}] GROUP BY {picked}")
    kept = db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
    if kept > rows * LARGEST_SHARE:
        db.execute(f"DROP TABLE [{name}]")
        return False
    return True


def facet_counts_metadata(table: str, counted: dict) -> dict:
    """Hidden from the database's table list; its page, for who may see the database, says what it is, with the
    column labels of the table it counts (`counted`: that table's metadata)."""
    labels = counted.get("columns") or {}
    return {
        "hidden": True,
        "columns": {
            **{column: labels.get(column, column) for column in counted.get("facets") or []},
            FACET_COUNTS_COLUMN: "Số dòng · Rows",
        },
        "title": f"Số dòng theo bộ lọc · Facet counts: {table}",
        "description_html": (
            f'<p lang="vi">Bảng phụ do bản dựng tính sẵn: số dòng của bảng {table} theo từng tổ hợp giá trị của các '
            "cột lọc, để trang bảng đếm nhanh.</p>"
            f'<p lang="en">Worked out by the build: the rows of {table} for each combination of its facet values, '
            "so that its pages count quickly.</p>"
        ),
    }
