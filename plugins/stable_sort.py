"""Make sorted table pages page correctly: add the primary-key tie-breaker to the first page too.

Datasette 0.65 orders the first page of a sorted table by the sort column alone and adds the primary key as a
tie-breaker only on later pages (`_next`), so rows that tie on the sort column can be repeated or skipped
when a client follows `next`. This adds the same tie-breaker to the first page's SQL. Only SQL that Datasette's
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


async def with_tie_breaker(database: compat.Database, sql: str) -> str:
    """The SQL of a table page with its primary key appended to a single-column ORDER BY."""
    match = TABLE_PAGE_SQL.match(sql)
    if not match:
        return sql
    table = unquote(match["table"])
    if not await database.table_exists(table):
        return sql
    keys = await database.primary_keys(table) or ["rowid"]
    if unquote(match["column"]) in keys:
        return sql
    breaker = ", ".join(escape_sqlite(key) for key in keys)
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
