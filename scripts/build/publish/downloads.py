"""Whole-table downloads: one CSV file per public table, written into the release beside its database.

Each file is the table as `portal.db` holds it, in its stored order, with exactly the columns the data package
declares (plugins/datapackage.py): the table's own columns and, for a table keyed by SQLite's rowid alone, `rowid`
first. UTF-8 with a byte-order mark, so that Excel reads Vietnamese correctly. Written from SQLite's own rows, so a
value reads the same in the file as in the JSON and CSV of the API, with one exception: a text value Excel would
run as a formula (starting with = + - @, a tab or a carriage return) is written with a single quote before it, as
OWASP advises against CSV injection; numbers stored as numbers (-5) are never touched. Datasette's own .csv and
.json answer every value as published. The file's size and SHA-256, worked out as it is written, go into the
table's metadata (`download`), which the catalogues read.

Beside it go the same rows as XLSX (xlsx_download.py) and as one JSON array of objects (the shape of the API's
`?_shape=array`, every row at once, values as published); their path, size and SHA-256 go into the table's metadata
under `download_formats`, by format.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

from plugins.portal_site.contract import DOWNLOAD_FORMATS
from scripts.build.publish import xlsx_download

DIRECTORY = "downloads"
BATCH = 20_000  # rows turned into text at a time: a few MB, whatever the table's size
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text value a spreadsheet would run as a formula, with a single quote before it; any other value as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
            writer.writerows([neutralised(value) for value in row] for row in rows)
            flush()
    return {"path": f"{DIRECTORY}/{path.name}", "bytes": size, "sha256": digest.hexdigest()}


def write_json(connection: sqlite3.Connection, table: str, path: Path) -> dict:
    """Write one table as a JSON array of objects, one line a row; its path in the release, size and SHA-256."""
    names = columns(connection, table)
    selected = ", ".join("rowid" if name == "rowid" else f"[{name}]" for name in names)
    cursor = connection.execute(f"SELECT {selected} FROM [{table}] ORDER BY rowid")
    digest, size, first = hashlib.sha256(), 0, True
    with open(path, "wb") as out:

        def put(text: str) -> None:
            nonlocal size
            chunk = text.encode("utf-8")
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)

        put("[")
        while rows := cursor.fetchmany(BATCH):
            lines = ",\n".join(json.dumps(dict(zip(names, row)), ensure_ascii=False) for row in rows)
            put(("\n" if first else ",\n") + lines)
            first = False
        put("\n]\n")
    return {"path": f"{DIRECTORY}/{path.name}", "bytes": size, "sha256": digest.hexdigest(),
            "media_type": "application/json"}


def write_downloads(release: Path, database: Path, tables: dict[str, dict]) -> dict[str, dict]:
    """The whole-table files of each table in `release`/downloads/ (`tables`: each table's column metadata, by
    name); the metadata each table gains, by name: `download` (the CSV) and `download_formats` (XLSX, JSON)."""
    directory = release / DIRECTORY
    directory.mkdir(exist_ok=True)
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        written = {}
        for table, column_details in tables.items():
            names = columns(connection, table)
            written[table] = {
                "download": write_table(connection, table, directory / f"{table}.csv"),
                DOWNLOAD_FORMATS: {"xlsx": xlsx_download.write_table(connection, table, directory / f"{table}.xlsx", names,
                                                            column_details),
                          "json": write_json(connection, table, directory / f"{table}.json")},
            }
        return written
    finally:
        connection.close()
