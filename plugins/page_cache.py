"""Pages of the release kept in memory as they were rendered: a table, row or database page (HTML, JSON or CSV,
streamed or not) asked again by the same visitor is sent again without Datasette's view running.

The query cache (query_cache.py) spares the SQL of a page seen before, but rendering it still costs 20-30 ms of
Python: a hundred rows through every plugin's render_cell and the templates, and 150 ms for a CSV export of 10,000
rows. A dashboard polls the same pages, and the release never changes while a process serves it, so the answer to
the same request is the same answer.

What a page depends on is all in the key:
- the actor, whole, as Datasette resolved it from the token or cookie: what it may see and the name the page shows.
  A revoked or expired token resolves to no actor, so it never reaches the pages kept for it;
- the host and scheme (the page's absolute links), the path, the query string and the page language;
- the Datasette object (tests make many in one process, each serving its own release).
Not kept: mutable databases (the tokens database); pages where a visitor's SQL ran (`?sql=`, canned queries,
`_where`: they may read the clock); pages where a query failed or ran past its time limit (Datasette then leaves a
facet out, or writes the error into a CSV stream, and still answers 200); file downloads; streams longer than
LARGEST_PAGE_BYTES (a stream is collected as it is sent and kept once it ends); answers other than 200; answers
that set a cookie (a CSRF token is the visitor's own). Pages are kept within a memory budget, least recently used
out first.

Inside the rate limiter, which counts a kept page like any other. A kept page skips the view's permission checks,
which depend on nothing but the actor and the release: it is only ever handed to the actor it was rendered for,
after the check passed. The time a page says its query took is that of its first rendering.
"""

from __future__ import annotations

import json
import os
import weakref
from contextvars import ContextVar

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import compat, language, user_sql
from .query_cache import ResultCache

MARK = "portal_page_cache"
SWITCH = "PORTAL_PAGE_CACHE"  # "off": serve without it (`make bench` measures what it gains this way)
BUDGET_BYTES = 64_000_000  # of one process, for each Datasette object
LARGEST_PAGE_BYTES = 4_000_000  # a streamed CSV of some 60,000 rows; a larger one is streamed again each time
# Cookies that change a page beyond its actor and language: Datasette's one-time messages are shown once.
PAGE_COOKIES = ("ds_messages",)

CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Datasette object -> ResultCache


class Kept:
    """A rendered page: what Response needs to send it again."""

    def __init__(self, response: Response, body: bytes):
        self.status, self.headers, self.content_type, self.body = (
            response.status,
            dict(response.headers),
            response.content_type,
            body,
        )

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=dict(self.headers), content_type=self.content_type)


def _key(view, request) -> tuple | None:
    """The request's identity, or None when its page is not kept."""
    if request.method != "GET" or any(name in request.cookies for name in PAGE_COOKIES):
        return None
    database = (request.url_vars or {}).get("database")
    db = view.ds.databases.get(database) if database else None
    if db is None or db.is_mutable:
        return None
    actor = json.dumps(request.actor, sort_keys=True, default=str) if request.actor else None
    return (
        actor,
        request.scheme,
        request.host,
        request.path,
        request.query_string,
        language.language(request),
    )


def _body(response) -> bytes | None:
    """The whole body of a plain 200 that sets no cookie, or None for anything else (streams, files)."""
    if type(response) is not Response or response.status != 200 or compat.sets_cookie(response):
        return None
    body = response.body
    return body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else None


# The queries that failed while the current page was rendered (stopped by their time limit, mostly), when it is
# being watched: Datasette leaves a facet out, or writes the error into a CSV stream, and answers 200.
_FAILED: ContextVar[list | None] = ContextVar(f"{MARK}_failed", default=None)


def _noting_failures(run):
    """`Database.execute` noting, for the page being rendered, a query that failed."""

    async def execute(self, *args, **kwargs):
        try:
            return await run(self, *args, **kwargs)
        except Exception:
            if _FAILED.get() is not None:
                _FAILED.get().append(True)
            raise

    return execute


def _kept(dispatch):
    async def dispatch_request(self, request):
        key = _key(self, request)
        if key is None:
            return await dispatch(self, request)
        cache = CACHES.get(self.ds)
        if cache is None:
            cache = CACHES[self.ds] = ResultCache(BUDGET_BYTES, largest=LARGEST_PAGE_BYTES)
        found = cache.get(key)
        if found is not None:
            return found.response()
        visitors_sql, failed = user_sql.watching(), []
        _FAILED.set(failed)
        response = await dispatch(self, request)

        def keep(body: bytes) -> None:
            # Asked once the whole body is known: for a stream, once it has been sent.
            if response.status == 200 and not visitors_sql and not failed:
                cache.put(key, Kept(response, body), size=len(body) + 1024)

        body = _body(response)
        if body is not None:
            keep(body)
            return response
        return compat.collected_stream(response, LARGEST_PAGE_BYTES, keep) or response

    return dispatch_request


@hookimpl
def startup(datasette):
    if os.environ.get(SWITCH, "on") == "off":
        return
    user_sql.mark_user_sql_views()
    compat.wrap_database_method("execute", f"{MARK}_failed", _noting_failures)
    compat.wrap_data_views(MARK, _kept)
