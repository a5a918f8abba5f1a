"""Any failure of a command as one plain line for administrators: what happened and where, never the data.

An exception's message and a traceback's local variables can quote the rows being processed (names, ID
numbers), so neither is ever printed: only the kind of failure, the file it concerns or the line of our code
it came from, and what to do.
"""

from __future__ import annotations

import errno
import sqlite3
import traceback
from pathlib import Path

_SCRIPTS = Path(__file__).resolve().parents[1]
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_SQLITE_DISK_FULL = {"SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE"}
FREE_SPACE = "free disk space (or raise the file-size limit) where build/ lives and run `make build` again"


def _chain(error: BaseException):
    """The error and the errors it was raised from or while handling, innermost last."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _where(error: BaseException) -> str:
    """The last line of the portal's own code the error passed through, as `scripts/x.py:123 in function`."""
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(_SCRIPTS)
    ]
    if not ours:
        return "outside the portal's code"
    frame = ours[-1]
    return f"{Path(frame.filename).resolve().relative_to(_SCRIPTS.parent)}:{frame.lineno} in {frame.name}"


def _disk_full(error: BaseException) -> str | None:
    for cause in _chain(error):
        if isinstance(cause, OSError) and cause.errno in _DISK_FULL:
            target = f" while writing {cause.filename}" if cause.filename else ""
            return f"the disk is full or a file reached the size limit{target} ({cause.strerror}); {FREE_SPACE}"
        if isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorname", "") in _SQLITE_DISK_FULL:
            return f"a database file could not be written ({cause.sqlite_errorname}); {FREE_SPACE}"
    return None


def describe(error: BaseException) -> str:
    """One line for an administrator: the kind of failure, where, and what to do; no value from the data."""
    full = _disk_full(error)
    if full:
        return full
    if isinstance(error, MemoryError):
        return f"out of memory ({_where(error)}); build on a machine with more memory or stop other processes"
    if isinstance(error, OSError):
        target = f" {error.filename}" if error.filename else ""
        return f"cannot use{target}: {error.strerror or type(error).__name__}; check the path and its permissions"
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", None) or type(error).__name__
        return f"SQLite failed ({name}) at {_where(error)}; run `make build` again, and report it if it repeats"
    return (
        f"unexpected {type(error).__name__} at {_where(error)} (its message is not shown: it may quote "
        "personal data); report it with this line"
    )
