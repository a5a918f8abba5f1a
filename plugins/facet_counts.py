"""A table page's count and facets answered from the facet counts the build worked out
(scripts/build/publish/facet_count_table.py) instead of from the table itself.

Datasette 0.65's table view counts the rows its filters keep, and groups them by each facet, with SQL of two fixed
shapes (count_sql in views/table.py, ColumnFacet in facets.py). When every filter is an equality on a counted
column and the facet is one of them, the same numbers are sums over the much smaller table of counts F:

    select count(*) from T where a = :p0
      -> select coalesce(sum(row_count), 0) from F where a = :p0
    select b as value, count(*) as count from (select ... from T where a = :p0) where b is not null
        group by b order by count desc, value limit 31
      -> select b as value, sum(row_count) as count from F where a = :p0 and b is not null
        group by b order by count desc, value limit 31

F's columns keep T's declared types, so `a = :p0` compares the same way on both. Anything else (another filter or
operator, full-text search, a facet on a column not counted, `_next`, SQL a visitor wrote) runs as it came: each
clause is recognised whole, so a query is rewritten only where the two are equal by construction, and the tests
compare pages both ways. Datasette 1.0 generates the same two shapes (keep; a facet class of our own would do
only half of it, since the count is not a facet).
"""

from __future__ import annotations

import os
import re

from datasette import hookimpl

from .portal_site import compat, user_sql
from .portal_site.contract import FACET_COUNTS_COLUMN, FACET_COUNTS_PREFIX, facet_counts_table
from .portal_site.table_sql import IDENTIFIER, unquote

MARK = "portal_facet_counts"
# Set to "off" to serve without them: `make bench` measures what they gain this way.
SWITCH = "PORTAL_FACET_COUNTS"

COUNT_SQL = re.compile(rf"^select count\(\*\) from (?P<table>{IDENTIFIER}) (?:where (?P<where>.+?) )?$", re.DOTALL)
FACET_SQL = re.compile(
    rf"^\s*select (?P<column>{IDENTIFIER}) as value, count\(\*\) as count from \(\s*"
    rf"select .+? from (?P<table>{IDENTIFIER}) (?:where (?P<where>.+?) )?\s*\)\s*"
    rf"where (?P=column) is not null\s*group by (?P=column) order by count desc, value limit (?P<limit>\d+)\s*$",
    re.DOTALL,
)
EQUALITY = re.compile(rf"^(?P<column>{IDENTIFIER}) = :p\d+$")


def _equalities(where: str | None) -> list[str] | None:
    """The columns of a WHERE made only of `column = :pN` clauses joined by `and`, or None."""
    if not where:
        return []
    columns = []
    for clause in where.split(" and "):
        match = EQUALITY.match(clause)
        if not match:
            return None
        columns.append(unquote(match["column"]))
    return columns


async def _counted_columns(database: compat.Database, table: str) -> set[str]:
    """The columns the build counted for `table`, empty when it counted none (schema answers are cached)."""
    if table.startswith(FACET_COUNTS_PREFIX) or not await database.table_exists(facet_counts_table(table)):
        return set()
    return set(await database.table_columns(facet_counts_table(table))) - {FACET_COUNTS_COLUMN}


async def from_facet_counts(database: compat.Database, sql: str) -> str | None:
    """The same query over the table's facet counts, or None when it cannot be answered from them."""
    match = COUNT_SQL.match(sql) or FACET_SQL.match(sql)
    if not match:
        return None
    table, filtered = unquote(match["table"]), _equalities(match["where"])
    if filtered is None:
        return None
    counted = await _counted_columns(database, table)
    if not counted or not set(filtered) <= counted:
        return None
    counts = f"[{facet_counts_table(table)}]"
    where = match["where"]
    if match.re is COUNT_SQL:
        return f"select coalesce(sum([{FACET_COUNTS_COLUMN}]), 0) from {counts}" + (f" where {where}" if where else "")
    column = match["column"]
    if unquote(column) not in counted:
        return None
    conditions = " and ".join([*([where] if where else []), f"{column} is not null"])
    return (
        f"select {column} as value, sum([{FACET_COUNTS_COLUMN}]) as count from {counts} where {conditions} "
        f"group by {column} order by count desc, value limit {match['limit']}"
    )


def _counted(run):
    """`Database.execute` answering a table page's count and facets from the facet counts where it can."""

    async def execute(self, sql, *args, **kwargs):
        if not self.is_mutable and user_sql.table_page():
            sql = await from_facet_counts(self, sql) or sql
        return await run(self, sql, *args, **kwargs)

    return execute


@hookimpl
def startup(datasette):
    if os.environ.get(SWITCH, "on") == "off":
        return
    # Registered after the query cache (plugins/registry.py), so this wraps it: the rewritten query is the one kept.
    user_sql.mark_user_sql_views()
    compat.wrap_database_method("execute", MARK, _counted)
