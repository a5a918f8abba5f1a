"""Indexes chosen from the declared facets: a filtered facet on a large table is answered from an index alone."""

from __future__ import annotations

import sqlite3

import pandas as pd

from scripts.build.publish.indexes import PAIR_INDEX_ROWS, indexes_for
from scripts.build.publish.write_sqlite import TableToLoad, write_database


def test_small_tables_get_one_index_per_facet_and_sort_column():
    assert indexes_for(["sex", "age_band"], ["age_band", "count"], rows=100) == [["sex"], ["age_band"], ["count"]]


def test_large_tables_get_every_ordered_pair_of_facets_and_no_redundant_single():
    chosen = indexes_for(["sex", "age_band", "area"], ["area", "count"], rows=PAIR_INDEX_ROWS)
    pairs = [index for index in chosen if len(index) == 2]
    assert sorted(map(tuple, pairs)) == sorted(
        (a, b) for a in ("sex", "age_band", "area") for b in ("sex", "age_band", "area") if a != b
    )
    assert [index for index in chosen if len(index) == 1] == [["count"]]


def test_a_filtered_facet_query_reads_only_a_covering_index(tmp_path):
    rows = PAIR_INDEX_ROWS + 10
    frame = pd.DataFrame(
        {
            "sex": ["Nam", "Nữ"] * (rows // 2),
            "age_band": [f"{5 * (i % 19)}-{5 * (i % 19) + 4}" for i in range(rows)],
            "area": [f"{i % 54:05d}" for i in range(rows)],
        }
    )
    facets = ["sex", "age_band", "area"]
    table = TableToLoad(
        name="people",
        frame=frame,
        types={c: str for c in facets},
        primary_key=[],
        indexes=indexes_for(facets, [], len(frame)),
    )
    write_database(tmp_path / "portal.db", [table])
    db = sqlite3.connect(tmp_path / "portal.db")
    # The shape of the query Datasette runs for a facet under a filter.
    facet_sql = (
        "select age_band as value, count(*) as count from (select * from people where sex = ?) "
        "where age_band is not null group by age_band order by count desc, value limit 31"
    )
    plan = " ".join(row[-1] for row in db.execute(f"explain query plan {facet_sql}", ["Nữ"]))
    assert "COVERING INDEX" in plan and "people_sex_age_band" in plan
    counts = dict(db.execute(facet_sql, ["Nữ"]).fetchall())
    assert sum(counts.values()) == (frame["sex"] == "Nữ").sum()
    assert db.execute("select count(*) from sqlite_stat1 where tbl = 'people'").fetchone()[0] > 0
