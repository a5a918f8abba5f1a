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
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from plugins.portal_site.contract import DOWNLOAD_FORMATS
from scripts.build.publish import xlsx_download
from scripts.build.steps import BuildFailed

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
    return {
        "path": f"{DIRECTORY}/{path.name}",
        "bytes": size,
        "sha256": digest.hexdigest(),
        "media_type": "application/json",
    }


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
                DOWNLOAD_FORMATS: {
                    "xlsx": xlsx_download.write_table(
                        connection, table, directory / f"{table}.xlsx", names, column_details
                    ),
                    "json": write_json(connection, table, directory / f"{table}.json"),
                },
            }
        return written
    finally:
        connection.close()


# The build's timing of this step is the process's own time, spent beside the other steps, not after them.
STEP = "downloads"


class Pending:
    """The whole-table files being written by a process of their own (in_background)."""

    def __init__(self, process: subprocess.Popen):
        self.process = process

    def result(self) -> tuple[dict[str, dict], float, int]:
        """What write_downloads() wrote, the seconds it took and its process's peak memory in bytes."""
        out, err = self.process.communicate()
        if self.process.returncode:
            last = (err.strip().splitlines() or ["no message"])[-1]
            raise BuildFailed(f"writing the whole-table files (downloads/) failed: {last}")
        done = json.loads(out)
        return done["written"], done["seconds"], done["peak_bytes"]


class Background:
    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def submit(self, release: Path, database: Path, tables: dict[str, dict]) -> Pending:
        """write_downloads(release, database, tables) in a new process."""
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(release), str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.started.append(process)
        process.stdin.write(json.dumps(tables, ensure_ascii=False))
        process.stdin.close()
        process.stdin = None  # given in full: communicate() then only reads
        return Pending(process)


@contextmanager
def in_background():
    """Processes for the whole-table files, which take as long as the rest of publishing (the XLSX most): the build
    writes the restricted database and inspects both while they are written. Each is a fresh interpreter that
    imports this module alone, so it holds none of the build's data frames; a build that fails meanwhile stops it."""
    background = Background()
    try:
        yield background
    finally:
        for process in background.started:
            if process.poll() is None:
                process.kill()
                process.communicate()


def _peak_bytes() -> int:
    """This process's own peak resident memory (VmHWM): getrusage's ru_maxrss would also count the build's memory,
    which Linux carries into a process started from it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _main(argv: list[str]) -> None:
    release, database = map(Path, argv)
    started = time.perf_counter()
    written = write_downloads(release, database, json.loads(sys.stdin.read()))
    peak = _peak_bytes()
    print(json.dumps({"written": written, "seconds": time.perf_counter() - started, "peak_bytes": peak}))


if __name__ == "__main__":
    _main(sys.argv[1:])
