"""Error messages in the reader's language: Datasette's, and the portal's own refusals (rate limits, malformed
requests), in HTML pages and in the `error` and `title` of JSON errors.

Their text is made in English where they are raised (Datasette, the plugins' f-strings); ERRORS lists each as a msgid,
with %(name)s where the English has a variable part, and translations.translate_text matches them.
"""

from __future__ import annotations

import html
import re

from . import language
from .translations import N_, gettext, translate_text

ERRORS = (
    # Datasette 0.65.5 (datasette/views/*.py, forbidden.py, app.py)
    N_("Database not found"),
    N_("Table not found"),
    N_("Record not found"),
    N_("Invalid SQL"),
    N_("SQL Interrupted"),
    N_("Forbidden"),
    N_("Statement must be a SELECT"),
    N_("Cannot sort table by %(column)s"),
    N_("Cannot use _sort and _sort_desc at the same time"),
    N_("Invalid _through - could not find corresponding foreign key"),
    N_("_size must be a positive integer"),
    N_("_size must be <= %(limit)s"),
    N_("_col=%(columns)s - invalid columns"),
    N_("_nocol=%(columns)s - invalid columns"),
    N_("_facet= is not allowed"),
    N_("_where= is not allowed"),
    N_("Cannot search by that column"),
    N_("You do not have permission to view this database"),
    N_("You do not have permission to view this query"),
    N_("You do not have permission to view this table"),
    N_("Permission denied"),
    N_("Database download is forbidden"),
    N_("CSV streaming is disabled"),
    N_("_next not allowed for CSV streaming"),
    N_("Page not found"),
    N_("Not found"),
    # The portal's own (plugins/bad_requests.py, request_bounds.py, rate_limit.py, sql_limits.py)
    N_("Internal error; it has been logged"),
    N_("A number in the request is too large: SQLite integers have at most 64 bits"),
    N_("A filter value must be a string or a number"),
    N_("A column name in the request holds a NUL character"),
    N_("CSV is available for a table, or for a query given as sql="),
    N_("Invalid JSON in the query string: %(detail)s"),
    N_("_timelimit must be a whole number of milliseconds"),
    N_('_through must be a JSON object {"table": ..., "column": ..., "value": ...}'),
    N_("%(name)s: numbers must be written with the digits 0-9"),
    N_("Method %(method)s is not allowed: the portal answers %(methods)s"),
    N_("The address is too long: at most %(limit)s bytes"),
    N_("Too many parameters: at most %(limit)s"),
    N_("The request headers are too large: at most %(headers)s headers, %(limit)s bytes"),
    N_("Content-Length and Transfer-Encoding together: a request has one length"),
    N_("The address holds a control character (such as NUL)"),
    N_("Not found: SQLite's own tables are not published"),
    N_("Too many requests: at most %(rate)s a second, %(burst)s at once"),
    N_("Too many requests from this address: at most %(rate)s a second, %(burst)s at once"),
    N_("Too much SQL time or data sent: slow down"),
    N_("Too many requests waiting for their turn"),
    N_("The result is too large: queries may return at most %(limit)s MB"),
    N_("No such dataset"),  # plugins/dataset_pages.py, releases_feed.py
    N_("No such file"),  # plugins/table_downloads.py
    N_("measure: no measure %(name)s on this map; allowed values: %(values)s"),  # portal_site/commune_map.py
)
# Datasette's message for a query stopped at the time limit is a paragraph of HTML around the SQL.
INTERRUPTED_SQL = re.compile(r"<textarea[^>]*>(?P<sql>.*?)</textarea>", re.S)


def translate(message, lang: str | None = None):
    """An error message or title in the reader's language (unchanged when the catalogue does not know it)."""
    return translate_text(message, ERRORS, lang)


def interrupted(message: str, lang: str | None = None) -> str:
    """Datasette's HTML message for a query stopped at the time limit, in the reader's language, with its SQL."""
    found = INTERRUPTED_SQL.search(message)
    sql = found.group("sql") if found else ""  # already escaped by Datasette
    text = html.escape(
        gettext(
            "The query took too long and was stopped. Try a simpler query, or fewer rows.", lang or language.current()
        )
    )
    return f'<p>{text}</p>\n<pre class="wrapped-sql">{sql}</pre>'


def wants_html(scope) -> bool:
    """Whether an error for this request is read in a browser: a page (not .json/.csv) asked for as HTML."""
    path = scope.get("path", "")
    if path.rsplit("/", 1)[-1].rpartition(".")[2] in ("json", "csv", "jsonld", "ttl", "rdf", "xml", "atom", "txt"):
        return False
    accept = b",".join(value for name, value in scope.get("headers") or [] if name == b"accept")
    return b"text/html" in accept


async def page(datasette, status: int, message: str, title: str | None = None) -> bytes:
    """Datasette's error page (templates/error.html) for an answer the portal makes itself, such as a 429."""
    return (
        await datasette.render_template("error.html", {"ok": False, "error": message, "status": status, "title": title})
    ).encode("utf-8")
