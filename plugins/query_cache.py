"""Results of slow queries on the release's immutable databases, kept in memory and reused.

A published release never changes, so the same SQL with the same parameters always returns the same rows: the
counts and facet groupings of a table page over hundreds of thousands of rows are computed once per process, not
once per visitor. Only what is worth it is kept (queries that took at least MIN_SECONDS), within a memory budget,
least recently used first out. Mutable databases (the tokens database) are never cached.

The cache sits below Datasette's permission checks: a view runs a query only for an actor allowed to see its
database and table, so a kept result is only ever handed to a caller that could have run the query itself.
"""

import time
from collections import OrderedDict

from datasette import hookimpl
from datasette.database import Database

MIN_SECONDS = 0.01  # below this, running the query again costs less than the memory it would hold
MAX_RESULT_BYTES = 1_000_000  # one result at most, roughly: a page of rows, never a whole table
BUDGET_BYTES = 64_000_000  # all results of one process


def _size(results) -> int:
    """The approximate memory of a result: its text and blobs, plus a word per value."""
    return sum(len(v) + 8 if isinstance(v, (str, bytes)) else 8 for row in results.rows for v in row) + 64


class ResultCache:
    """A least-recently-used map from query to result, bounded by the results' approximate size."""

    def __init__(self, budget: int = BUDGET_BYTES):
        self.budget, self.used = budget, 0
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

    def put(self, key, results) -> None:
        size = _size(results)
        if size > MAX_RESULT_BYTES or key in self.entries:
            return
        self.entries[key] = (results, size)
        self.used += size
        while self.used > self.budget:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.used -= dropped


def _key(database: Database, sql: str, params, truncate: bool, page_size) -> tuple | None:
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
_original_execute = Database.execute


async def _execute_cached(self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None,
                          log_sql_errors=True):
    key = None if self.is_mutable else _key(self, sql, params, truncate, page_size)
    if key is not None:
        found = CACHE.get(key)
        if found is not None:
            return found
    started = time.perf_counter()
    results = await _original_execute(self, sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
    if key is not None and time.perf_counter() - started >= MIN_SECONDS:
        CACHE.put(key, results)
    return results


@hookimpl
def startup(datasette):
    # Patched once for the process, like the rate limiter's timing of SQL.
    Database.execute = _execute_cached
