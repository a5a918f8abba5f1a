"""Size limits on what a query may return, on every connection the portal serves from.

The SQL time limit cannot stop `select zeroblob(1000000000)`: making the value is a single step of SQLite's machine,
and then SQLite, Python and the JSON renderer each hold a copy (measured: 100 MB took 1.3 GB of memory and two
seconds of the event loop, 1000 rows of four 100 KB values 5.6 GB and 16 s). So no value may exceed MAX_VALUE_BYTES
and no result MAX_RESULT_BYTES; the largest value in the published data is a few hundred bytes, the largest page of
a table well under a megabyte.

The connections also keep where the database files are to themselves: `select * from pragma_database_list`, which
Datasette allows in a visitor's SQL, answers NULL for the `file` column instead of the server's absolute paths.
"""

import re
import sqlite3
import weakref

from datasette import hookimpl

MAX_VALUE_BYTES = 100_000
MAX_COLUMNS = 200  # also bounds a single row: MAX_COLUMNS values of MAX_VALUE_BYTES
MAX_RESULT_BYTES = 20_000_000
TOO_LARGE = f"The result is too large: queries may return at most {MAX_RESULT_BYTES // 1_000_000} MB"
# One conversion of SQLite's printf: flags, width, precision (digits or `*`, an argument), size, conversion.
PRINTF_SPEC = re.compile(r"%([-+ #0,!]*)(\*|\d+)?(?:\.(\*|\d*))?(l{0,2})(.)", re.DOTALL)


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


def _integer(value, inner: sqlite3.Connection) -> int:
    """An argument as printf reads a `*` width or precision (SQLite's integer conversion of any value)."""
    if isinstance(value, int):
        return value
    return inner.execute("select cast(? as integer)", (value,)).fetchone()[0] or 0


def _beyond_the_limit(form, args, inner: sqlite3.Connection) -> bool:
    """Whether the printf format asks for a width, or a %c precision, larger than any value may be.

    Either makes a result at least that long, which SQLite's printf answers with NULL once it is past the length
    limit; but for `%.*c` (a character repeated `precision` times) SQLite 3.40 first spends one step of its machine,
    seconds that no time limit interrupts, repeating it up to two billion times.
    """
    if not isinstance(form, str) or "%" not in form:
        return False
    used = 0
    for spec in PRINTF_SPEC.finditer(form):
        _, width, precision, _, conversion = spec.groups()
        if conversion == "%":
            continue
        sizes = []
        for part, counts in ((width, True), (precision, conversion == "c")):
            if part == "*":
                value = _integer(args[used], inner) if used < len(args) else 0
                used += 1
            else:
                value = int(part) if part else 0
            if counts:
                sizes.append(abs(value))
        used += 1  # the value converted
        if any(size > MAX_VALUE_BYTES for size in sizes):
            return True
    return False


def bounded_printf(inner: sqlite3.Connection):
    """SQLite's printf (and its other name, format) run on `inner`, answering NULL at once for what is too long."""

    def printf(*args):
        if not args or _beyond_the_limit(args[0], args[1:], inner):
            return None
        return inner.execute(f"select printf({', '.join('?' * len(args))})", args).fetchone()[0]

    return printf


def hide_file_paths(action, table, column, _database, _trigger):
    """An authorizer that reads pragma_database_list.file as NULL (SQLITE_IGNORE) and allows everything else."""
    if (
        action == sqlite3.SQLITE_READ
        and (table or "").lower() == "pragma_database_list"
        and ((column or "").lower() == "file")
    ):
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(hide_file_paths)
    # The real printf runs on a private in-memory connection with the same length limit, so what it answers is what
    # SQLite would have answered; only the requests for values longer than the limit are answered without it.
    inner = sqlite3.connect(":memory:", check_same_thread=False)
    inner.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(inner))
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    # Datasette's cursors live for one query, so counting per cursor is counting per query.
    conn.row_factory = budgeted_rows(weakref.WeakKeyDictionary())
