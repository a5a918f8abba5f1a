"""Requests the portal refuses at the door, before any other wrapper, the router or SQLite does any work.

Each is answered at once with a short JSON error in Datasette's shape: 405 with `Allow` for a method the portal does
not serve, 404 for SQLite's own tables, 400 for the rest. Why each bound:

- Methods: the portal only reads (GET, HEAD, OPTIONS); the CKAN Action API (plugins/ckan_api.py) and the public's
  request form (plugins/public_requests.py) also take POST.
  Datasette 0.65 answers POST, TRACE, PROPFIND or a made-up method on a table page with a 500.
- Parameters and address length: Datasette 0.65 reads the query string in time quadratic in the number of parameters
  (5,000 parameters, 40 KB, held the event loop for about a minute before their 400).
- Control characters (NUL and the other C0 characters but tab, line feed and carriage return, and DEL) in the path
  or a parameter: no published name or value holds one, and a NUL in a search made SQLite's full-text search fail.
- Content-Length together with Transfer-Encoding: the two framings of a body disagreeing is how requests are
  smuggled past a proxy; no client of ours sends both.
- Headers: their number and their total size, so that a request cannot carry megabytes of them.
- SQLite's own tables (sqlite_master, sqlite_stat1, ...) are not published tables; Datasette 0.65's row page of
  sqlite_master was a 500.
"""

import json
import re
from urllib.parse import unquote_to_bytes

from datasette.utils import tilde_decode

from .portal_site import error_pages, language
from .portal_site.requests_form import FORM_PATH

MAX_TARGET_BYTES = 8_192  # path and query string as sent; nginx's default request line is at most 8 KB too
MAX_PARAMETERS = 200
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16_384  # names and values together
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# The CKAN Action API reads parameters from a POSTed JSON object or form as well (plugins/ckan_api.py's PATH).
# The request form is sent to its own address, and to no other.
POST_PATHS = re.compile(rf"^(/api(/3)?/action/[A-Za-z0-9_]+|{re.escape(FORM_PATH)})$")
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# /<database>/<table>... where the table, tilde-decoded, is one of SQLite's own.
SQLITE_TABLE = re.compile(r"^/[^/]+/(?P<table>[^/]+)")
HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]


def allowed_methods(path: str) -> tuple[str, ...]:
    return READ_METHODS + ("POST",) if POST_PATHS.match(path) else READ_METHODS


def _parameters(query: bytes):
    return [part for part in query.split(b"&") if part]


def _is_sqlite_table(path: str) -> bool:
    match = SQLITE_TABLE.match(path)
    if not match:
        return False
    table = tilde_decode(match.group("table")).lower()
    return table.startswith("sqlite_")


def refusal(scope) -> tuple[int, str, list] | None:
    """(status, message, extra headers) for a request refused at the door, or None."""
    path, query = scope.get("path", ""), scope.get("query_string") or b""
    method = scope.get("method", "GET")
    allowed = allowed_methods(path)
    if method not in allowed:
        methods = ", ".join(allowed)
        return (
            405,
            f"Method {method[:20]} is not allowed: the portal answers {methods}",
            [(b"allow", methods.encode("ascii"))],
        )
    if len(scope.get("raw_path") or path.encode("utf-8", "replace")) + len(query) > MAX_TARGET_BYTES:
        return 400, f"The address is too long: at most {MAX_TARGET_BYTES:,} bytes", []
    parameters = _parameters(query)
    if len(parameters) > MAX_PARAMETERS:
        return 400, f"Too many parameters: at most {MAX_PARAMETERS}", []
    headers = scope.get("headers") or []
    if len(headers) > MAX_HEADERS or sum(len(name) + len(value) for name, value in headers) > MAX_HEADER_BYTES:
        return 400, f"The request headers are too large: at most {MAX_HEADERS} headers, {MAX_HEADER_BYTES:,} bytes", []
    names = {name.lower() for name, _ in headers}
    if b"transfer-encoding" in names and b"content-length" in names:
        return 400, "Content-Length and Transfer-Encoding together: a request has one length", []
    if CONTROL.search(path.encode("utf-8", "surrogateescape")) or any(
        CONTROL.search(unquote_to_bytes(parameter.replace(b"+", b" "))) for parameter in parameters
    ):
        return 400, "The address holds a control character (such as NUL)", []
    if _is_sqlite_table(path):
        return 404, "Not found: SQLite's own tables are not published", []
    return None


async def refuse(send, status: int, message: str, headers: list, lang: str = language.DEFAULT) -> None:
    # This layer is outside the language layer: the request's language is read here from its query and cookie.
    body = json.dumps(
        {"ok": False, "error": error_pages.translate(message, lang), "status": status, "title": None}
    ).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": HEADERS + headers})
    await send({"type": "http.response.body", "body": body})


def bounded(app):
    async def guard(scope, receive, send):
        if scope["type"] == "http":
            refused = refusal(scope)
            if refused:
                return await refuse(send, *refused, language.from_scope(scope))
        await app(scope, receive, send)

    return guard


def middleware(datasette):
    return bounded
