"""The first page of a sorted table gets the primary-key tie-breaker; SQL a visitor wrote is run as written."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from plugins import stable_sort


async def test_a_compound_select_ordered_by_its_alias_runs_as_sqlite_runs_it(portal):
    sql = "select unit as u from tasks where 1 union select 'x' order by u limit 5"
    response = await portal.client.get("/portal.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 200, response.text
    assert [row["u"] for row in response.json()] == ["Công an tỉnh", "Sở Khoa học và Công nghệ", "x"]


@pytest.fixture
def records(tmp_path):
    """A record table keyed by rowid, as the build writes one: many ties, some nulls, an index on (a, b)."""
    path = tmp_path / "records.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("create table people (a text, b text, c integer)")
        rows = [("x" if i % 3 else "y", None if i % 7 == 0 else f"b{i % 4}", i) for i in range(1, 121)]
        db.executemany("insert into people values (?, ?, ?)", rows)
        db.execute("create index people_a_b on people (a, b)")
        db.execute("analyze")
        db.commit()
    return path


def _follow(datasette, url: str) -> list[dict]:
    async def follow():
        seen, page = [], url
        while page:
            data = (await datasette.client.get(page)).json()
            seen += data["rows"]
            page = f"{url}&_next={data['next']}" if data["next"] else None
        return seen

    return follow()


@pytest.mark.parametrize("args", ["a=x&_sort_desc=b", "_sort_desc=b", "a=y&_sort=b", "a=x&_sort_desc=c"])
async def test_following_next_on_a_rowid_table_returns_every_row_once_in_order(records, args):
    from datasette.app import Datasette

    datasette = Datasette(immutables=[str(records)])
    rows = await _follow(datasette, f"/records/people.json?_size=4&_shape=objects&{args}")
    with closing(sqlite3.connect(records)) as db:
        where = "where a = ?" if args.startswith("a=") else ""
        params = [args[2]] if where else []
        expected = {row[0] for row in db.execute(f"select rowid from people {where}", params)}
    ids = [row["rowid"] for row in rows]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    column = args.rsplit("=", 1)[1]
    descending = "_sort_desc" in args
    # Nulls sort first ascending and last descending, as SQLite sorts them; ties by rowid in the same direction.
    keys = [((row[column] is not None, row[column] or ""), row["rowid"]) for row in rows]
    assert keys == sorted(keys, reverse=descending)


async def test_a_descending_sort_under_a_filter_is_read_from_the_index_without_sorting(records):
    from datasette.app import Datasette

    datasette = Datasette(immutables=[str(records)])
    await datasette.invoke_startup()
    database = datasette.get_database("records")
    first = 'select rowid, a, b, c from people where "a" = :p0 order by b desc limit 5'
    rewritten = await stable_sort.with_tie_breaker(database, first)
    assert rewritten.endswith("order by b desc, rowid desc limit 5")
    with closing(sqlite3.connect(records)) as db:
        plan = " ".join(row[-1] for row in db.execute(f"explain query plan {rewritten}", {"p0": "x"}))
        datasettes_own = " ".join(
            row[-1] for row in db.execute(f"explain query plan {first[:-8]}, rowid limit 5", {"p0": "x"})
        )
    assert "TEMP B-TREE" not in plan and "people_a_b" in plan
    assert "TEMP B-TREE" in datasettes_own  # what the tie-breaker in ascending order costs
