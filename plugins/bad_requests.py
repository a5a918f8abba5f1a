"""Malformed requests get a 400 that says what is wrong, never a 500: Datasette 0.65 raises on several of them."""

import json
import sqlite3
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, Base400

from .portal_site import compat, error_pages

THROUGH_KEYS = {"table", "column", "value"}
INTERNAL_ERROR = "Internal error; it has been logged"
# What sqlite3 refuses to bind or run, all of it taken from the request: filter values, column names.
SQLITE_REFUSALS = [
    (OverflowError, "", "A number in the request is too large: SQLite integers have at most 64 bits"),
    (sqlite3.InterfaceError, "binding", "A filter value must be a string or a number"),
    (sqlite3.ProgrammingError, "binding", "A filter value must be a string or a number"),
    (sqlite3.ProgrammingError, "null character", "A column name in the request holds a NUL character"),
]

# Datasette's handler prints every error, a 400 included, as a rich traceback with the local variables of each frame:
# about half a second of the event loop's time per error (measured: one client sending bad SQL slowed every other
# client's pages to seconds), and request headers, API tokens among them, written to the log. Without rich it
# prints a plain traceback, and only for errors of the server. Done when an app is made (middleware below), not at
# import: this module is imported while Datasette loads its plugins, before its error handler can be.


def _is_integer(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


def _is_through(value: str) -> bool:
    try:
        through = json.loads(value)
    except ValueError:
        return False
    return (
        isinstance(through, dict)
        and set(through) == THROUGH_KEYS
        and all(isinstance(through[key], str) for key in ("table", "column"))
        and isinstance(through["value"], (str, int, float))
    )


def _parameter_error(args) -> str | None:
    """What is wrong with a parameter that Datasette reads without checking it, if anything."""
    if not all(_is_integer(value) for value in args.getlist("_timelimit")):
        return "_timelimit must be a whole number of milliseconds"
    if not all(_is_through(value) for value in args.getlist("_through")):
        return '_through must be a JSON object {"table": ..., "column": ..., "value": ...}'
    for name in args:
        # Filters turn anything str.isdigit() accepts into int(), which refuses digits such as "²".
        if any(value.isdigit() and not _is_integer(value) for value in args.getlist(name)):
            return f"{name}: numbers must be written with the digits 0-9"
    return None


def client_error(request, exception) -> str | None:
    """The message for an exception that the request caused, or None when the server is at fault."""
    if isinstance(exception, compat.DatasetteError) and exception.status == 500:
        return str(exception.message) if compat.request_at_fault(exception) else None
    problem = _parameter_error(request.args)
    if problem:
        return problem
    if isinstance(exception, KeyError) and "table" not in request.url_vars and not request.args.get("sql"):
        return "CSV is available for a table, or for a query given as sql="  # Datasette looks for columns
    for kind, text, message in SQLITE_REFUSALS:
        if isinstance(exception, kind) and text in str(exception):
            return message
    if isinstance(exception, json.JSONDecodeError):
        return f"Invalid JSON in the query string: {exception}"
    return None


@hookimpl
def handle_exception(datasette, request, exception):
    # Datasette's own handler (trylast) still logs the exception; the first response returned is the one sent.
    if isinstance(exception, Base400) or (isinstance(exception, compat.DatasetteError) and exception.status < 500):
        return None
    message = client_error(request, exception)
    if message and isinstance(exception, compat.DatasetteError):
        exception.status = 400  # Datasette's own handler then answers it, and logs nothing
        return None
    if message:
        return compat.error_response(datasette, request, BadRequest(error_pages.translate(message)))
    # An error of ours: the log has the details, the visitor gets no internals.
    return compat.error_response(
        datasette, request, compat.DatasetteError(error_pages.translate(INTERNAL_ERROR), status=500)
    )


def middleware(datasette):
    compat.quiet_error_tracebacks()

    def wrap(app):
        async def ascii_path(scope, receive, send):
            # Datasette decodes raw_path as ASCII and fails on anything else; percent-encoded, the same address
            # reaches its router, which finds the table or answers 404.
            raw_path = scope.get("raw_path")
            if scope["type"] == "http" and raw_path and not raw_path.isascii():
                scope = dict(scope, raw_path=quote(raw_path, safe="/%~!$&'()*+,;=:@").encode("ascii"))
            await app(scope, receive, send)

        return ascii_path

    return wrap
