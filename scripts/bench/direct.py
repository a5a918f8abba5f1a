"""The facet and filter pages' SQL run directly in SQLite on the release's files: the floor the portal is held to.

The statements are those Datasette 0.65 runs for such a page: the page of rows, `count(*)` unless the count is
known from the inspect file (an unfiltered table in immutable mode), and one `GROUP BY` per facet over the
filtered rows. They run with the same number of concurrent clients as the HTTP mix, each on its own connection,
so the comparison is at the same load and only the server's own work differs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from scripts.bench.mix import Query, Table, tables

PAGE_SIZE = 100  # the portal's default_page_size
FACET_SIZE = 30  # Datasette's default_facet_size


def _order(db: sqlite3.Connection, table: Table) -> tuple[str, str]:
    """The columns Datasette selects for the page and its order."""
    keys = [
        row[1]
        for row in sorted(db.execute("select * from pragma_table_info(?)", (table.name,)), key=lambda row: row[5])
        if row[5]
    ]
    order = ", ".join(f"[{key}]" for key in keys) if keys else "rowid"
    if table.metadata.get("sort"):
        order = f"[{table.metadata['sort']}]"
    elif table.metadata.get("sort_desc"):
        order = f"[{table.metadata['sort_desc']}] desc"
    return ("*" if keys else "rowid, *"), order


def statements(db: sqlite3.Connection, table: Table, query: Query) -> list[tuple[str, dict]]:
    """The SQL of one facet or filtered page, with its parameters."""
    columns, order = _order(db, table)
    if query.sort:  # Datasette sorts by the column and breaks ties by the primary key (or rowid)
        column, _, direction = query.sort.partition(" ")
        order = f"[{column}]{' desc' if direction == 'desc' else ''}, {order}"
    params = {f"p{n}": value for n, (_, value) in enumerate(query.filters)}
    where = " and ".join(f"[{column}] = :p{n}" for n, (column, _) in enumerate(query.filters))
    where = f"where {where} " if where else ""
    found = [(f"select {columns} from [{table.name}] {where}order by {order} limit {PAGE_SIZE + 1}", params)]
    if query.filters:
        found.append((f"select count(*) from [{table.name}] {where}", params))
    for facet in query.facets:
        found.append(
            (
                f"select [{facet}] as value, count(*) as count from (select {columns} from [{table.name}] "
                f"{where}) where [{facet}] is not null group by [{facet}] order by count desc, value "
                f"limit {FACET_SIZE + 1}",
                params,
            )
        )
    return found


def run_direct(
    release: Path, queries: list[Query], clients: int, rounds: int, max_seconds: float, each_once: bool = False
) -> dict:
    """Latencies in ms of each query's statements run together, per query name, from `clients` threads: every
    client runs them all `rounds` times, or with `each_once` each query is run once, the list split among them."""
    known = {(table.database, table.name): table for table in tables(release)}
    latencies = {query.name: [] for query in queries}
    deadline = time.monotonic() + max_seconds

    def client(n: int) -> None:
        connections = {}
        order = queries[n % len(queries) :] + queries[: n % len(queries)]
        if each_once:
            order = queries[n * len(queries) // clients : (n + 1) * len(queries) // clients]
        for _ in range(1 if each_once else rounds):
            for query in order:
                if time.monotonic() > deadline:
                    return
                if query.database not in connections:
                    uri = f"{(release / f'{query.database}.db').resolve().as_uri()}?immutable=1"
                    connections[query.database] = sqlite3.connect(uri, uri=True, check_same_thread=False)
                db = connections[query.database]
                sql = statements(db, known[(query.database, query.table)], query)
                started = time.perf_counter()
                for statement, params in sql:
                    db.execute(statement, params).fetchall()
                latencies[query.name].append((time.perf_counter() - started) * 1000)
        for db in connections.values():
            db.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies
