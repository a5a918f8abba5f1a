"""Results of queries on the release's immutable databases, kept in memory and reused, with what Datasette asks
about their schema.

A published release never changes, so the same SQL with the same parameters always returns the same rows: the
counts and facet groupings of a table page over hundreds of thousands of rows are computed once per process, not
once per visitor. Quick queries are kept too: each one Datasette runs waits for a free SQL thread, and a table page
runs a dozen (rows, schema lookups: Datasette 0.65.5 resolves a table's name with one for every permission check,
over a hundred for a home page). Results are kept within a memory budget, least recently used first out; the
schema answers (keys, columns, foreign keys, search tables) are few and kept for the life of the process.
Mutable databases (the tokens database) are never cached, nor is SQL a visitor wrote (`?sql=`, canned queries,
`?_where=`): it may read the clock or random() however it likes (portal_site/user_sql.py), so only the SQL that
Datasette's views and the portal's plugins generate is kept.

The cache sits below Datasette's permission checks: a view runs a query only for an actor allowed to see its
database and table, so a kept result is only ever handed to a caller that could have run the query itself.
"""

import copy
from collections import OrderedDict

from datasette import hookimpl

from .portal_site import compat, user_sql

MARK = "portal_query_cache"

MAX_RESULT_BYTES = 1_000_000  # one result at most, roughly: a page of rows, never a whole table
BUDGET_BYTES = 64_000_000  # all results of one process


# Python's own sizes, roughly: a str of non-ASCII text takes 2 bytes a character plus 74, a number 32, a row object
# 56 plus a pointer a value; generous so that the budget is an upper bound on what the cache really holds.
TEXT_BYTES, TEXT_OVERHEAD, VALUE_BYTES, ROW_BYTES = 2, 80, 32, 64


def _size(results) -> int:
    """An upper estimate of a result's memory: its text and blobs, every value and every row object."""
    values = sum(
        TEXT_OVERHEAD + TEXT_BYTES * len(v) if isinstance(v, (str, bytes)) else VALUE_BYTES
        for row in results.rows
        for v in row
    )
    return values + sum(ROW_BYTES + 8 * len(row) for row in results.rows) + 256


class ResultCache:
    """A least-recently-used map from query to result, bounded by the results' approximate size."""

    def __init__(self, budget: int = BUDGET_BYTES, largest: int = MAX_RESULT_BYTES):
        self.budget, self.largest, self.used = budget, largest, 0
        self.entries: OrderedDict = OrderedDict()  # key -> (results, size)
        self.hits = self.misses = 0

    def get(self, key):
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, key, results, size: int | None = None) -> None:
        size = _size(results) if size is None else size
        if size > self.largest or key in self.entries:
            return
        self.entries[key] = (results, size)
        self.used += size
        while self.used > self.budget:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.used -= dropped


def _key(database: "compat.Database", sql: str, params, truncate: bool, page_size) -> tuple | None:
    """The query's identity, or None when its parameters cannot be compared (never seen from Datasette's views)."""
    if isinstance(params, dict):
        frozen = tuple(sorted(params.items()))
    else:
        frozen = tuple(params or ())
    key = (database.name, database.path, sql, frozen, bool(truncate), page_size or database.ds.page_size)
    try:
        hash(key)
    except TypeError:
        return None
    return key


CACHE = ResultCache()


def _cached(run):
    """`Database.execute` answering from the cache, running `run` (the execute it wraps) on a miss."""

    async def execute(
        self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None, log_sql_errors=True
    ):
        key = None if self.is_mutable or user_sql.running() else _key(self, sql, params, truncate, page_size)
        if key is not None:
            found = CACHE.get(key)
            if found is not None:
                return found
        results = await run(self, sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
        if key is not None:
            CACHE.put(key, results)
        return results

    return execute


# What Datasette asks about a table's schema, a few thread round trips per page; answers depend only on the file.
SCHEMA_QUESTIONS = (
    "primary_keys",
    "foreign_keys_for_table",
    "table_columns",
    "table_column_details",
    "fts_table",
    "label_column_for_table",
    "hidden_table_names",
    "view_names",
    "table_names",
    "table_exists",
)
SCHEMA_ANSWERS: dict = {}
SCHEMA_ANSWERS_KEPT = 10_000  # table names come from URLs: whatever visitors type, the memory stays bounded


def _remembered(name: str, asked):
    """A schema method answering from SCHEMA_ANSWERS, asking `asked` (the method it wraps) the first time."""

    async def answer(self, *args):
        if self.is_mutable:
            return await asked(self, *args)
        key = (self.name, self.path, name, args)
        if key in SCHEMA_ANSWERS:
            return copy.copy(SCHEMA_ANSWERS[key])  # lists: a caller that changes its copy changes nobody else's
        found = await asked(self, *args)
        if len(SCHEMA_ANSWERS) < SCHEMA_ANSWERS_KEPT:
            SCHEMA_ANSWERS[key] = copy.copy(found)
        return found

    return answer


@hookimpl
def startup(datasette):
    # Patched once for the process, around whatever other plugins made of these methods (plugins/stable_sort.py
    # wraps execute too).
    user_sql.mark_user_sql_views()
    compat.wrap_database_method("execute", MARK, _cached)
    for name in SCHEMA_QUESTIONS:
        compat.wrap_database_method(name, MARK, lambda asked, name=name: _remembered(name, asked))
