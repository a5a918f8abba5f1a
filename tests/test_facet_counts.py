"""The facet counts the build works out for large tables, and the portal's pages answered from them: every count and
facet of a page is the one SQLite gives on the published table itself."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import urllib.parse
from contextlib import closing

import pytest

from plugins import facet_counts
from plugins.portal_site.contract import FACET_COUNTS_COLUMN, facet_counts_table
from scripts.serve import command as serve
from scripts.serve import token_store

TABLES = {  # the sample's large tables with facets, and their database
    "residents_sample": "portal",
    "vneid_accounts_pseudonymised": "restricted",
    "online_applications_pseudonymised": "restricted",
}


@pytest.fixture(scope="module")
def release(sample_release):
    return sample_release.release


def _connect(release, database: str) -> sqlite3.Connection:
    return sqlite3.connect(f"{(release / f'{database}.db').as_uri()}?mode=ro", uri=True)


def _facets(release, table: str) -> list[str]:
    import json

    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    return metadata["databases"][TABLES[table]]["tables"][table]["facets"]


@pytest.mark.parametrize("table", TABLES)
def test_the_build_counts_every_row_once_by_the_declared_facets(release, table):
    facets = _facets(release, table)
    with closing(_connect(release, TABLES[table])) as db:
        counts = facet_counts_table(table)
        columns = [row[1] for row in db.execute(f"pragma table_info([{counts}])")]
        assert columns == [*facets, FACET_COUNTS_COLUMN]
        types = {row[1]: row[2] for row in db.execute(f"pragma table_info([{table}])")}
        assert {row[1]: row[2] for row in db.execute(f"pragma table_info([{counts}])") if row[1] in facets} == {
            column: types[column] for column in facets
        }
        total = db.execute(f"select sum([{FACET_COUNTS_COLUMN}]) from [{counts}]").fetchone()[0]
        assert total == db.execute(f"select count(*) from [{table}]").fetchone()[0]
        picked = ", ".join(f"[{c}]" for c in facets)
        grouped = db.execute(f"select {picked}, count(*) from [{table}] group by {picked} order by {picked}").fetchall()
        kept = db.execute(f"select {picked}, [{FACET_COUNTS_COLUMN}] from [{counts}] order by {picked}").fetchall()
        assert kept == grouped


def test_small_tables_get_no_counts_and_the_counts_are_hidden(release):
    import json

    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))["databases"]
    with closing(_connect(release, "portal")) as db:
        names = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert facet_counts_table("project06_tasks") not in names  # 41 rows: counted in a moment
    for table, database in TABLES.items():
        assert metadata[database]["tables"][facet_counts_table(table)]["hidden"] is True


@pytest.fixture(scope="module")
def served(release, tmp_path_factory):
    tokens = tmp_path_factory.mktemp("facet-counts") / "tokens.db"
    expires = token_store.expiry("2099-12-31", dt.date.today())
    _, token = token_store.create(tokens, "Sở Y tế", token_store.ALL_DATASETS, expires)
    return serve.app(release, tokens), {"Authorization": f"Bearer {token}"}


@pytest.fixture
def rewrites(monkeypatch):
    """Each query the portal answered from the facet counts, as (original, rewritten)."""
    seen = []
    original = facet_counts.from_facet_counts

    async def recording(database, sql):
        rewritten = await original(database, sql)
        if rewritten:
            seen.append((sql, rewritten))
        return rewritten

    monkeypatch.setattr(facet_counts, "from_facet_counts", recording)
    return seen


def _expected(db: sqlite3.Connection, table: str, facets: list[str], filters: list[tuple[str, str]], size: int):
    """The page's count and facets, counted by SQLite on the published table."""
    where = " and ".join(f"[{c}] = ?" for c, _ in filters) or "1"
    values = [v for _, v in filters]
    count = db.execute(f"select count(*) from [{table}] where {where}", values).fetchone()[0]
    found = {}
    for facet in facets:
        rows = db.execute(
            f"select [{facet}], count(*) from [{table}] where {where} and [{facet}] is not null "
            f"group by 1 order by 2 desc, 1 limit {size}",
            values,
        ).fetchall()
        found[facet] = {str(value): n for value, n in rows}
    return count, found


async def _page(served, table: str, args: list[tuple[str, str]]) -> dict:
    datasette, headers = served
    path = f"/{TABLES[table]}/{table}.json" + (f"?{urllib.parse.urlencode(args)}" if args else "")
    response = await datasette.client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.text[:300])
    page = response.json()
    facets = {
        name: {str(item["value"]): item["count"] for item in result["results"]}
        for name, result in page["facet_results"].items()
    }
    return {"count": page["filtered_table_rows_count"], "facets": facets}


def _filter_sets(db: sqlite3.Connection, table: str, facets: list[str]) -> list[list[tuple[str, str]]]:
    """No filter, each value of each facet alone, and pairs and triples taken from rows at random."""
    sets = [[]]
    for facet in facets:
        values = [row[0] for row in db.execute(f"select distinct [{facet}] from [{table}] where [{facet}] is not null")]
        sets += [[(facet, str(value))] for value in values[:12]]
    rng = random.Random(20261205)
    last = db.execute(f"select max(rowid) from [{table}]").fetchone()[0]
    for _ in range(12):
        columns = rng.sample(facets, k=rng.choice((2, 3)))
        row = db.execute(
            f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] where rowid >= ? limit 1",
            [rng.randint(1, last)],
        ).fetchone()
        sets.append([(c, str(v)) for c, v in zip(columns, row) if v is not None])
    # Each once: a page asked again is sent as it was rendered (plugins/page_cache.py), with no query at all.
    return [list(filters) for filters in dict.fromkeys(tuple(filters) for filters in sets)]


@pytest.mark.parametrize("table", TABLES)
async def test_every_page_counts_what_sqlite_counts_on_the_table(release, served, rewrites, table):
    facets = _facets(release, table)
    datasette, _ = served
    size = datasette.setting("default_facet_size")
    with closing(_connect(release, TABLES[table])) as db:
        for filters in _filter_sets(db, table, facets):
            del rewrites[:]
            page = await _page(served, table, filters)
            count, found = _expected(db, table, facets, filters, size)
            assert page["count"] == count, filters
            assert page["facets"] == found, filters
            # The count (when filtered: an unfiltered one is the build's inspected count) and every facet came
            # from the facet counts, not from reading the table.
            assert len(rewrites) == len(facets) + (1 if filters else 0), (filters, rewrites)


@pytest.mark.parametrize(
    "table, args, where",
    [
        ("residents_sample", [("sex__not", "Nam")], "[sex] != ?"),
        ("residents_sample", [("age_band__contains", "1")], "[age_band] like '%' || ? || '%'"),
        ("vneid_accounts_pseudonymised", [("registered_period", "2023-Q1")], "[registered_period] = ?"),
        ("vneid_accounts_pseudonymised", [("commune_code", "06676"), ("registered_period__gte", "2023-Q3")], None),
    ],
)
async def test_anything_but_equalities_on_counted_columns_reads_the_table(
    release, served, rewrites, table, args, where
):
    page = await _page(served, table, args)
    with closing(_connect(release, TABLES[table])) as db:
        if where is None:
            where, values = "[commune_code] = ? and [registered_period] >= ?", [v for _, v in args]
        else:
            values = [args[0][1]]
        assert page["count"] == db.execute(f"select count(*) from [{table}] where {where}", values).fetchone()[0]
    assert not rewrites


async def test_values_absent_or_contradictory_count_zero(release, served, rewrites):
    page = await _page(served, "residents_sample", [("sex", "Không có")])
    assert page["count"] == 0 and all(not values for values in page["facets"].values())
    page = await _page(served, "residents_sample", [("sex", "Nam"), ("sex", "Nữ")])
    assert page["count"] == 0
    assert rewrites  # both answered from the counts: an equality per value, as on the table


async def test_sql_a_visitor_writes_is_never_rewritten(release, served, rewrites):
    datasette, _ = served
    sql = "select count(*) from residents_sample "
    response = await datasette.client.get("/portal.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}))
    assert response.status_code == 200
    with closing(_connect(release, "portal")) as db:
        assert response.json()[0]["count(*)"] == db.execute(sql).fetchone()[0]
    assert not rewrites
