"""Whole-table downloads: one CSV file per public table, written into the release beside its database.

Each file is the table as `portal.db` holds it, in its stored order, with exactly the columns the data package
declares (plugins/datapackage.py): the table's own columns and, for a table keyed by SQLite's rowid alone, `rowid`
first. UTF-8 with a byte-order mark, so that Excel reads Vietnamese correctly. Written from SQLite's own rows, so a
value reads the same in the file as in the JSON and CSV of the API. The file's size and SHA-256, worked out as it is
written, go into the table's metadata (`download`), which the catalogues read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import sqlite3
from pathlib import Path

DIRECTORY = "downloads"
BATCH = 20_000  # rows turned into text at a time: a few MB, whatever the table's size


def columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """The columns of the file: rowid first for a table without a declared key, then the table's columns."""
    info = connection.execute(f"PRAGMA table_info([{table}])").fetchall()
    names = [row[1] for row in info]
    keyed = any(row[5] for row in info)
    return names if keyed else ["rowid", *names]


def write_table(connection: sqlite3.Connection, table: str, path: Path) -> dict:
    """Write one table as CSV at `path`; its size in bytes and SHA-256."""
    names = columns(connection, table)
    selected = ", ".join("rowid" if name == "rowid" else f"[{name}]" for name in names)
    cursor = connection.execute(f"SELECT {selected} FROM [{table}] ORDER BY rowid")
    digest, size = hashlib.sha256(), 0
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    with open(path, "wb") as out:

        def flush(prefix: bytes = b"") -> None:
            nonlocal size
            chunk = prefix + text.getvalue().encode("utf-8")
            text.seek(0)
            text.truncate()
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)

        writer.writerow(names)
        flush(codecs.BOM_UTF8)
        while rows := cursor.fetchmany(BATCH):
            writer.writerows(rows)
            flush()
    return {"path": f"{DIRECTORY}/{path.name}", "bytes": size, "sha256": digest.hexdigest()}


def write_downloads(release: Path, database: Path, tables: list[str]) -> dict[str, dict]:
    """One CSV file per table in `release`/downloads/; the `download` metadata of each table, by name."""
    directory = release / DIRECTORY
    directory.mkdir(exist_ok=True)
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {table: write_table(connection, table, directory / f"{table}.csv") for table in tables}
    finally:
        connection.close()
