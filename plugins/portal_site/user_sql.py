"""Whether the query being run was written by a visitor: `?sql=`, a canned query, a table page with `?_where=`.

The query cache and the sort tie-breaker act only on SQL that Datasette's table, row and facet views (or the
portal's own plugins) generate: such SQL reads the immutable release and nothing else, so its answer never changes,
and its shape is known. A visitor's SQL may call the clock or random() in ways no pattern of its text can rule out
(`time()`, `datetime(:when)`), and may have any shape (a compound SELECT), so it is never kept and never rewritten.
Datasette runs user SQL only inside QueryView.data (`?sql=`, canned queries) and, through `_where`, inside
TableView.data: each call of the two is marked, for its length, as running a visitor's SQL or a table page's own.
"""

from __future__ import annotations

from contextvars import ContextVar

from . import compat

MARK = "portal_user_sql"
USER, TABLE = "user", "table"
_VIEW: ContextVar[str | None] = ContextVar(MARK, default=None)
# Set by a caller that wants to know whether a visitor's SQL ran anywhere under it (plugins/page_cache.py).
_SEEN: ContextVar[list | None] = ContextVar(f"{MARK}_seen", default=None)


def running() -> bool:
    """True inside a view that runs SQL a visitor wrote (or a fragment of it)."""
    return _VIEW.get() == USER


def table_page() -> bool:
    """True inside Datasette's table view when all its SQL is Datasette's own."""
    return _VIEW.get() == TABLE


def watching() -> list:
    """Start noting, for the rest of this task and those it starts, each time a visitor's SQL runs; returns the
    list the notes go to (empty while none ran)."""
    seen: list = []
    _SEEN.set(seen)
    return seen


def _marked(data, kind):
    async def marked(self, request, *args, **kwargs):
        view = kind(request)
        if view == USER and _SEEN.get() is not None:
            _SEEN.get().append(view)
        token = _VIEW.set(view)
        try:
            return await data(self, request, *args, **kwargs)
        finally:
            _VIEW.reset(token)

    return marked


def mark_user_sql_views() -> None:
    """Wrap the two views once per process (each plugin that relies on the mark calls this at start-up)."""
    # A canned query's URL reaches TableView.data, which hands it to QueryView.data: the inner mark wins.
    compat.wrap_sql_views(
        MARK,
        lambda data: _marked(data, lambda request: USER),
        lambda data: _marked(data, lambda request: USER if "_where" in request.args else TABLE),
    )
