"""The fixed query mix, chosen from the release itself so that it follows the data at any scale.

The same requests go to both servers. Where they must differ, the baseline gets the nearest equivalent: its
database is `/naive`; it has no metadata, so a table page names the default facets with `_facet=`; it has no
full-text index, so search is the `__contains` filter on the same column. Filter values are the top value of the
table's first facet, the one a visitor sees first and clicks.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from scripts.bench.naive import NAME as BASELINE_DATABASE

LARGEST = 3  # the tables whose facet and filter pages the targets are about
DEEP_PAGES = 100  # pages of 1,000 rows followed through `next` before the deep page
PAGE_ROWS = 1000
CSV_ROWS = 10_000  # the filtered CSV export aims at about this many rows (or 1/20 of a smaller table)


@dataclass(frozen=True)
class Query:
    """One request of the mix, as each server is asked it; `filters` and `facets` let it be replayed as SQL."""

    name: str
    kind: str  # home, facets, filtered, search, array, deep, sql, csv
    portal: str
    baseline: str
    database: str | None = None
    table: str | None = None
    filters: tuple[tuple[str, str], ...] = ()
    facets: tuple[str, ...] = ()
    sort: str | None = None  # a column, "column desc", or None for the table's own order


@dataclass(frozen=True)
class Table:
    database: str
    name: str
    rows: int
    metadata: dict

    @property
    def facets(self) -> list[str]:
        return [facet for facet in self.metadata.get("facets", []) if isinstance(facet, str)]


def _connect(release: Path, database: str) -> sqlite3.Connection:
    return sqlite3.connect(f"{(release / f'{database}.db').resolve().as_uri()}?immutable=1", uri=True)


def tables(release: Path, largest_first: bool = True) -> list[Table]:
    """Every published table of the release, largest first or in the metadata's order (row counts from the build's
    inspect file)."""
    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))["databases"]
    counts = json.loads((release / "inspect.json").read_text(encoding="utf-8"))
    found = [
        Table(database, name, counts[database]["tables"][name]["count"], table_metadata)
        for database, entry in metadata.items()
        if database in counts
        for name, table_metadata in entry.get("tables", {}).items()
        if name in counts[database]["tables"]
    ]
    return sorted(found, key=lambda table: -table.rows) if largest_first else found


def column_values(release: Path, table: Table, column: str) -> list[tuple[str, int]]:
    """The values of a column with their counts, most frequent first."""
    with closing(_connect(release, table.database)) as db:
        return db.execute(
            f"select [{column}], count(*) from [{table.name}] where [{column}] is not null "
            f"group by 1 order by 2 desc, 1"
        ).fetchall()


def _path(prefix: str, table: str, suffix: str = "", args: list[tuple[str, str]] = ()) -> str:
    query = urllib.parse.urlencode(list(args))
    return f"/{prefix}/{table}{suffix}" + (f"?{query}" if query else "")


def _page_queries(release: Path, table: Table) -> list[Query]:
    facets = table.facets
    explicit = [("_facet", facet) for facet in facets]
    label = f"{table.name} ({table.rows:,} rows)"
    queries = [
        Query(
            f"{label}: page with its facets",
            "facets",
            _path(table.database, table.name),
            _path(BASELINE_DATABASE, table.name, args=explicit),
            table.database,
            table.name,
            (),
            tuple(facets),
        )
    ]
    if facets:
        top = (facets[0], str(column_values(release, table, facets[0])[0][0]))
        queries.append(
            Query(
                f"{label}: filtered, {top[0]}={top[1]}",
                "filtered",
                _path(table.database, table.name, args=[top]),
                _path(BASELINE_DATABASE, table.name, args=[top, *explicit]),
                table.database,
                table.name,
                (top,),
                tuple(facets),
            )
        )
    return queries


def _search_query(release: Path, searchable: list[Table]) -> list[Query]:
    if not searchable:
        return []
    table = searchable[0]
    with closing(_connect(release, table.database)) as db:
        column = db.execute(f"select name from pragma_table_info('{table.metadata['fts_table']}')").fetchone()[0]
        text = db.execute(f"select [{column}] from [{table.name}] where [{column}] is not null limit 1").fetchone()[0]
    term = " ".join(str(text).split()[:2])
    return [
        Query(
            f"search {table.name} for \u201c{term}\u201d",
            "search",
            _path(table.database, table.name, args=[("_search", term)]),
            _path(BASELINE_DATABASE, table.name, args=[(f"{column}__contains", term)]),
            table.database,
            table.name,
        )
    ]


def _csv_filter(release: Path, table: Table) -> tuple[str, str, int] | None:
    """The facet value whose rows are nearest the CSV export's size: the column, the value and its rows."""
    target = max(1, min(CSV_ROWS, table.rows // 20))
    candidates = [
        (abs(count - target), column, str(value), count)
        for column in table.facets
        for value, count in column_values(release, table, column)
    ]
    return min(candidates)[1:] if candidates else None


def build_mix(release: Path) -> list[Query]:
    """The mix for a release: home, facet and filtered pages of the largest tables, search, JSON pages, SQL, CSV."""
    everything = tables(release)
    public = [table for table in everything if table.database == "portal"]
    queries = [Query("home page", "home", "/", "/")]
    for table in everything[:LARGEST]:
        queries += _page_queries(release, table)
    queries += _search_query(release, [table for table in everything if table.metadata.get("fts_table")])
    largest = everything[0]
    queries.append(
        Query(
            f"{largest.name} JSON, _shape=array, first page",
            "array",
            _path(largest.database, largest.name, ".json", [("_shape", "array")]),
            _path(BASELINE_DATABASE, largest.name, ".json", [("_shape", "array")]),
            largest.database,
            largest.name,
        )
    )
    # The walk to the deep page asks for no facets and no count: it would compute (and put in the portal's query
    # cache) the very facets the table page of the mix is about.
    walk = [("_size", str(PAGE_ROWS)), ("_nofacet", "1"), ("_nocount", "1")]
    queries.append(
        Query(
            f"{largest.name} JSON, deep page through next",
            "deep",
            _path(largest.database, largest.name, ".json", walk),
            _path(BASELINE_DATABASE, largest.name, ".json", walk),
            largest.database,
            largest.name,
        )
    )
    if public:
        big = public[0]
        grouped = ", ".join(f"[{facet}]" for facet in big.facets[:2]) or "1"
        sql = f"select {grouped}, count(*) as n from [{big.name}] group by {grouped} order by {grouped}"
        queries.append(
            Query(
                f"SQL aggregate on {big.name}",
                "sql",
                f"/portal.json?{urllib.parse.urlencode({'sql': sql, '_shape': 'array'})}",
                f"/{BASELINE_DATABASE}.json?{urllib.parse.urlencode({'sql': sql, '_shape': 'array'})}",
            )
        )
        chosen = _csv_filter(release, big)
        filters = [chosen[:2]] if chosen else []
        label = f", {chosen[0]}={chosen[1]} ({chosen[2]:,} rows)" if chosen else f" ({big.rows:,} rows)"
        args = [("_stream", "on"), *filters]
        queries.append(
            Query(
                f"CSV export of {big.name}{label}",
                "csv",
                _path("portal", big.name, ".csv", args),
                _path(BASELINE_DATABASE, big.name, ".csv", args),
                "portal",
                big.name,
                tuple(filters),
            )
        )
    return queries


def deep_page(get_json, start: str) -> str:
    """Follow `next` from `start` for DEEP_PAGES pages (fewer on a small table); the last page's address as array.

    `get_json(path)` fetches a path from the server being measured, so each server is walked with its own tokens.
    """
    token = None
    for _ in range(DEEP_PAGES):
        page = get_json(start if token is None else f"{start}&_next={urllib.parse.quote(token, safe='')}")
        if not page.get("next"):
            break
        token = page["next"]
    args = "_shape=array" + (f"&_next={urllib.parse.quote(token, safe='')}" if token else "")
    return f"{start.split('?')[0]}?{args}"
