"""The long tail: hundreds of distinct table pages drawn at random (fixed seed) from the data, each asked once.

The fixed mix asks the same dozen pages many times, which a cache answers after the first; readers mostly ask pages
nobody asked before. Here every address is new: filters on one or two of a table's facet columns with values taken
from one of its rows, sometimes a sort on a sortable column, as HTML, JSON or CSV, over every published table that
has facets, public and restricted (the catalogue and the build's reports aside). Each server is asked each address once, the list split among the clients, and
the same SQL (scripts/bench/direct.py: the page, its count, its facets) runs directly in SQLite the same way.
"""

from __future__ import annotations

import random
import sqlite3
import urllib.parse
from pathlib import Path

from plugins.portal_site.contract import GENERATED_TABLES
from scripts.bench.mix import Query, Table, tables
from scripts.bench.naive import NAME as BASELINE_DATABASE

SEED = 20261205
COUNT = 600
FORMATS = ("", ".json", ".csv")  # the table page, its JSON and its CSV, equally often
KIND = "tail"


def _row(db: sqlite3.Connection, table: Table, columns: list[str], rng: random.Random) -> dict | None:
    """One row of the table, at random, with the values of `columns`."""
    last = db.execute(f"select max(rowid) from [{table.name}]").fetchone()[0]
    if not last:
        return None
    picked = ", ".join(f"[{column}]" for column in columns)
    found = db.execute(
        f"select {picked} from [{table.name}] where rowid >= ? limit 1", [rng.randint(1, last)]
    ).fetchone()
    return dict(zip(columns, found)) if found else None


def _path(prefix: str, table: str, suffix: str, args: list[tuple[str, str]]) -> str:
    query = urllib.parse.urlencode(args)
    return f"/{prefix}/{urllib.parse.quote(table)}{suffix}" + (f"?{query}" if query else "")


def draw(release: Path, count: int = COUNT, seed: int = SEED) -> list[Query]:
    """`count` distinct pages of the release's tables, the same ones for the same release and seed."""
    rng = random.Random(seed)
    candidates = [
        table
        for table in tables(release, largest_first=False)
        if table.facets and table.rows and table.name not in GENERATED_TABLES
    ]
    if not candidates:
        return []
    connections: dict[str, sqlite3.Connection] = {}
    found: dict[str, Query] = {}
    try:
        for _ in range(count * 20):  # values repeat in small tables: give up rather than loop for ever
            if len(found) == count:
                break
            table = rng.choice(candidates)
            if table.database not in connections:
                uri = f"{(release / f'{table.database}.db').resolve().as_uri()}?immutable=1"
                connections[table.database] = sqlite3.connect(uri, uri=True)
            columns = rng.sample(table.facets, k=min(len(table.facets), rng.choice((1, 1, 2))))
            row = _row(connections[table.database], table, columns, rng)
            filters = tuple((column, str(row[column])) for column in columns if row and row[column] is not None)
            if not filters:
                continue
            sortable = [column for column in table.metadata.get("sortable_columns") or [] if isinstance(column, str)]
            sort = rng.choice([None, *sortable]) if sortable and rng.random() < 0.4 else None
            descending = sort is not None and rng.random() < 0.5
            ordering = [("_sort_desc" if descending else "_sort", sort)] if sort else []
            suffix = rng.choice(FORMATS)
            portal = _path(table.database, table.name, suffix, [*filters, *ordering])
            # The baseline has no metadata: it is told the table's facets, as the fixed mix tells it.
            facets = [] if suffix == ".csv" else [("_facet", facet) for facet in table.facets]
            baseline = _path(BASELINE_DATABASE, table.name, suffix, [*filters, *ordering, *facets])
            if portal not in found:
                found[portal] = Query(
                    f"tail {len(found) + 1:04d}",
                    KIND,
                    portal,
                    baseline,
                    table.database,
                    table.name,
                    filters,
                    tuple(table.facets) if suffix != ".csv" else (),
                    f"{sort} desc" if descending else sort,
                )
    finally:
        for connection in connections.values():
            connection.close()
    return list(found.values())
