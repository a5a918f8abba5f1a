"""The baseline's database: the release's published tables copied with pandas `to_sql`, as a newcomer would load
them, with no indexes, no full-text search and no statistics, into one file."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

from plugins.portal_site.contract import FACET_COUNTS_PREFIX

NAME = "naive"  # Datasette names the database after the file
CHUNK_ROWS = 100_000  # bounded memory for tables of a million rows


def published_tables(release: Path) -> dict[str, list[str]]:
    """The tables of each database of the release, as its metadata lists them (search indexes are not tables), less
    the facet counts the build works out for the portal alone: the baseline counts its tables itself."""
    databases = json.loads((release / "metadata.json").read_text(encoding="utf-8"))["databases"]
    return {
        name: [table for table in database.get("tables", {}) if not table.startswith(FACET_COUNTS_PREFIX)]
        for name, database in databases.items()
        if (release / f"{name}.db").exists()
    }


def naive_database(release: Path, out: Path) -> dict[str, int]:
    """Write `out` from the release; a table published in both databases (the disclosure report) is taken once."""
    out.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    with closing(sqlite3.connect(out)) as target:
        for database, tables in published_tables(release).items():
            uri = f"{(release / f'{database}.db').resolve().as_uri()}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as source:
                for table in tables:
                    if table in rows:
                        continue
                    rows[table] = 0
                    for chunk in pd.read_sql(f"select * from [{table}]", source, chunksize=CHUNK_ROWS):
                        chunk.to_sql(table, target, index=False, if_exists="append")
                        rows[table] += len(chunk)
                    if not rows[table]:  # no chunk came, so no table was created
                        pd.read_sql(f"select * from [{table}] limit 0", source).to_sql(table, target, index=False)
        target.commit()
    return rows
