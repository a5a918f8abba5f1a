"""Make sorted table pages page correctly: add the primary-key tie-breaker to the first page too.

Datasette 0.65 orders the first page of a sorted table by the sort column alone and adds the primary key as a
tie-breaker only on later pages (`_next`), so rows that tie on the sort column can be repeated or skipped
when a client follows `next`. This adds the same tie-breaker to the first page's SQL.

On a table keyed by rowid (the record tables) sorted in descending order, ties are broken by rowid descending, on
every page: `where a = ? order by b desc, rowid desc` is read backwards from the index on (a, b) as it stands,
where Datasette's `b desc, rowid` made SQLite sort every row that ties on the first value of b before it could
return a page (0.25 s, and past the time limit on a busy machine, for half of a million-row table). The later
pages' condition (`b = :p and rowid > :k`) turns to `rowid < :k` with it, so following `next` still returns every
row once. Only SQL that Datasette's
table view generates is touched: SQL a visitor wrote (`?sql=`, canned queries, a table page with `?_where=`) runs
exactly as written, whatever it looks like (a compound SELECT's ORDER BY may name only its result columns).
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.utils import escape_sqlite

from .portal_site import compat, user_sql
from .portal_site.table_sql import IDENTIFIER, unquote

TABLE_PAGE_SQL = re.compile(
    rf"^(?P<head>select .+? from (?P<table>{IDENTIFIER}) (?:where .+ )?order by (?P<column>{IDENTIFIER})(?: desc)?)"
    rf"(?P<tail> limit \d+(?: offset \d+)?)$",
    re.DOTALL,
)


# A later page of a table sorted in descending order, keyed by rowid, as Datasette 0.65 writes it.
LATER_DESCENDING_PAGE = re.compile(
    rf"^(?P<body>select .+? from (?P<table>{IDENTIFIER}) where .+) order by (?P<column>{IDENTIFIER}) desc, rowid"
    rf"(?P<tail> limit \d+)$",
    re.DOTALL,
)


async def _keys(database: compat.Database, table: str) -> list[str] | None:
    """The table's primary key (["rowid"] for a rowid table), or None when no such table exists."""
    if not await database.table_exists(table):
        return None
    return await database.primary_keys(table) or ["rowid"]


def _after_descending(body: str, column: str) -> str | None:
    """The later page's WHERE with the rowid condition of ties reversed, or None if it has no such condition."""
    ties = re.escape(column)
    reversed_body, found = re.subn(
        rf"(\({ties} = :p\d+ and |\({ties} is null and )rowid > (:p\d+)\)", r"\1rowid < \2)", body
    )
    return reversed_body if found == 1 else None


async def with_tie_breaker(database: compat.Database, sql: str) -> str:
    """The SQL of a table page with its primary key appended to a single-column ORDER BY (descending on a rowid
    table sorted in descending order), and a later page of such a table with its ties reversed to match."""
    later = LATER_DESCENDING_PAGE.match(sql)
    if later:
        if await _keys(database, unquote(later["table"])) != ["rowid"]:
            return sql
        body = _after_descending(later["body"], later["column"])
        return f"{body} order by {later['column']} desc, rowid desc{later['tail']}" if body else sql
    match = TABLE_PAGE_SQL.match(sql)
    if not match:
        return sql
    keys = await _keys(database, unquote(match["table"]))
    if keys is None or unquote(match["column"]) in keys:
        return sql
    descending = keys == ["rowid"] and match["head"].endswith(" desc")
    breaker = ", ".join(escape_sqlite(key) + (" desc" if descending else "") for key in keys)
    return f"{match['head']}, {breaker}{match['tail']}"


def _tie_broken(run):
    """`Database.execute` adding the tie-breaker, then running `run` (the execute it wraps)."""

    async def execute(self, sql, *args, **kwargs):
        if not user_sql.table_page():
            return await run(self, sql, *args, **kwargs)
        return await run(self, await with_tie_breaker(self, sql), *args, **kwargs)

    return execute


@hookimpl
def startup(datasette):
    # Patched once for the process, around whatever other plugins made of execute (plugins/query_cache.py): every
    # database gets the same, idempotent rewrite.
    user_sql.mark_user_sql_views()
    compat.wrap_database_method("execute", "portal_stable_sort", _tie_broken)
