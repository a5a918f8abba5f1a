"""Size limits on what a query may return, on every connection the portal serves from.

The SQL time limit cannot stop `select zeroblob(1000000000)`: making the value is a single step of SQLite's machine,
and then SQLite, Python and the JSON renderer each hold a copy (measured: 100 MB took 1.3 GB of memory and two
seconds of the event loop, 1000 rows of four 100 KB values 5.6 GB and 16 s). So no value may exceed MAX_VALUE_BYTES
and no result MAX_RESULT_BYTES; the largest value in the published data is a few hundred bytes, the largest page of
a table well under a megabyte.
"""

import sqlite3
import weakref

from datasette import hookimpl

MAX_VALUE_BYTES = 100_000
MAX_COLUMNS = 200  # also bounds a single row: MAX_COLUMNS values of MAX_VALUE_BYTES
MAX_RESULT_BYTES = 20_000_000
TOO_LARGE = f"The result is too large: queries may return at most {MAX_RESULT_BYTES // 1_000_000} MB"


def _size(value) -> int:
    return len(value) if isinstance(value, (str, bytes)) else 8


def budgeted_rows(results: weakref.WeakKeyDictionary):
    """A row factory that counts the bytes each cursor has returned and stops it past MAX_RESULT_BYTES."""
    def row(cursor, values):
        returned = results.get(cursor, 0) + sum(_size(value) for value in values)
        if returned > MAX_RESULT_BYTES:
            # An OperationalError is what Datasette reports to the client as an error of its SQL, with a 400.
            raise sqlite3.OperationalError(TOO_LARGE)
        results[cursor] = returned
        return sqlite3.Row(cursor, values)

    return row


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    # Datasette's cursors live for one query, so counting per cursor is counting per query.
    conn.row_factory = budgeted_rows(weakref.WeakKeyDictionary())
