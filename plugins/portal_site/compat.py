"""The one door to Datasette's internals: everything the portal needs from Datasette 0.65 that no documented hook or
API gives. No other module imports Datasette's private modules or replaces its methods.

Each function says which 0.65 behaviour it works around and what replaces it on Datasette 1.0; the same list, in
one table, is in docs/architecture.md. Importing this module on any Datasette other than 0.65.x fails at once with
a message saying so, rather than serving with workarounds that no longer fit.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
from contextlib import closing
from urllib.parse import quote

import datasette

SUPPORTED = "0.65."
if not datasette.__version__.startswith(SUPPORTED):
    raise RuntimeError(
        f"the portal's plugins work around Datasette {SUPPORTED}x internals (plugins/portal_site/compat.py) and "
        f"this is Datasette {datasette.__version__}: install the version pinned in requirements.txt, or port "
        "compat.py (docs/architecture.md lists each workaround and what replaces it on 1.0)"
    )

# The private modules, imported here only. The views, the error handler and the command line are imported where they
# are used: Datasette loads the portal's plugins (their entry point, plugins/registry.py) while datasette.app and its
# views are themselves still being imported.
from datasette.database import Database

__all__ = ["Database", "FollowedDatabase"]  # and DatasetteError, through __getattr__


def _plugin_manager():
    # Imported at use: importing datasette.plugins loads the installed plugins, the portal's among them, which
    # import this module; at module level that would find it half-made.
    from datasette.plugins import pm

    return pm


def __getattr__(name: str):
    # compat.DatasetteError, looked up when a request fails rather than when the plugins load (see above).
    if name == "DatasetteError":
        from datasette.views.base import DatasetteError

        return DatasetteError
    raise AttributeError(name)


log = logging.getLogger(__name__)


# --- Wrapping Database methods -----------------------------------------------------------------------------------
# 0.65 has no hook around query execution; 1.0 has none either, so the query cache, the sort tie-breaker and the
# SQL-time charge stay wrappers there, behind this door.


def wrap_once(owner, name: str, mark: str, wrap) -> None:
    """Replace `owner.name` by `wrap(current)` unless a wrapper marked `mark` is already in its chain.

    A plugin's start-up runs for every Datasette object a process makes (the tests make many), and plugins start
    in no fixed order: a wrapper carries its mark and the marks of the wrappers inside it, so none wraps twice and
    none replaces another's.
    """
    current = getattr(owner, name)
    if getattr(current, mark, False):
        return
    wrapped = wrap(current)
    wrapped.__dict__.update(vars(current))
    setattr(wrapped, mark, True)
    setattr(owner, name, wrapped)


def wrap_database_method(name: str, mark: str, wrap) -> None:
    """Wrap `Database.<name>` (execute, execute_fn, schema methods) once per process."""
    wrap_once(Database, name, mark, wrap)


def file_identity(path: str) -> tuple | None:
    """Which file `path` names now and as what it was last written: device, inode, size, modification time; None
    when nothing is there."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


class FollowedDatabase(Database):
    """A mutable database whose file may be replaced (a backup restored with `mv`) or deleted while it is served.

    0.65 opens one connection per SQL thread, and one for writes, and keeps them for the life of the process: they go
    on reading the file they opened even once it is unlinked, so changes made to the file now at the path (a token
    revoked) are never seen. Here every query first compares the path's identity (one stat) with the file its
    thread's connection opened and reopens on any change. While the path holds no SQLite file with the tables the
    file had at start, queries run on an empty in-memory database with that schema instead, so that a lookup finds nothing
    (fails closed) and Datasette's own schema checks go on answering. 1.0 keeps connections the same way: keep.
    """

    def __init__(self, ds, path: str):
        super().__init__(ds, path=str(path), is_mutable=True)
        self.started_as = file_identity(self.path)
        self._held = threading.local()
        # The schema the file has now, at start, is what an empty stand-in is made of and what a file must hold.
        with closing(sqlite3.connect(f"file:{quote(self.path)}?mode=ro", uri=True)) as connection:
            found = connection.execute(
                "select name, sql from sqlite_master where type in ('table', 'index') "
                "and sql is not null and name not like 'sqlite_%'"
            ).fetchall()
        self.schema = ";\n".join(sql for _, sql in found)
        self._tables = {name for name, sql in found if sql.lower().startswith("create table")}

    def connect(self, write=False):
        # What Datasette keeps per thread; queries never run on it (see _current).
        return self._empty()

    def _empty(self) -> sqlite3.Connection:
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        connection.executescript(self.schema)
        return connection

    def readable(self) -> bool | None:
        """Whether the path holds an SQLite file with the schema's tables; None when nothing is there."""
        if file_identity(self.path) is None:
            return None
        try:
            connection = self._open(write=False)
        except sqlite3.Error:
            return False
        connection.close()
        return True

    def _open(self, write: bool) -> sqlite3.Connection:
        # mode=rw, never rwc: a write must not create an empty file where the real one was deleted.
        connection = sqlite3.connect(
            f"file:{quote(self.path)}?mode={'rw' if write else 'ro'}", uri=True, check_same_thread=False
        )
        try:
            found = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
            if not self._tables <= found:
                raise sqlite3.DatabaseError("tables missing")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _current(self, write: bool) -> sqlite3.Connection:
        """This thread's connection to the file now at the path, reopened when the file changed."""
        kind = "write" if write else "read"
        identity = file_identity(self.path)
        held = getattr(self._held, kind, None)
        if held is not None and held[0] == identity:
            return held[1]
        if held is not None:
            held[1].close()
            self._all_file_connections.remove(held[1])
        connection = None
        if identity is not None:
            try:
                connection = self._open(write)
            except sqlite3.Error as error:
                log.warning("database %s is not readable (%s): it reads as empty until it is", self.name, error)
        elif held is None or held[0] is not None:
            log.warning("database %s: its file is missing: it reads as empty until it is back", self.name)
        connection = connection or self._empty()
        self.ds._prepare_connection(connection, self.name)
        self._all_file_connections.append(connection)
        # The identity seen before opening: if the file changed in between, the next query opens it again.
        setattr(self._held, kind, (identity, connection))
        return connection

    async def execute_fn(self, fn):
        return await super().execute_fn(lambda _kept: fn(self._current(write=False)))

    async def execute_write_fn(self, fn, block=True):
        return await super().execute_write_fn(lambda _kept: fn(self._current(write=True)), block=block)

    @property
    def size(self):
        identity = file_identity(self.path)
        return identity[2] if identity else 0

    @property
    def mtime_ns(self):
        identity = file_identity(self.path)
        return identity[3] if identity else None


def follow_database_file(datasette_instance, name: str) -> None:
    """Serve the mounted mutable database `name` as a FollowedDatabase, under the same name (once per instance)."""
    mounted = datasette_instance.databases.get(name)
    if mounted is None or isinstance(mounted, FollowedDatabase) or not mounted.is_mutable or not mounted.path:
        return
    datasette_instance.remove_database(name)
    datasette_instance.add_database(FollowedDatabase(datasette_instance, mounted.path), name=name)


# --- Views ------------------------------------------------------------------------------------------------------


def wrap_sql_views(mark: str, query_wrap, table_wrap) -> None:
    """Wrap the data methods of the two views that run SQL a visitor wrote (`?sql=`, canned queries, `_where`).

    0.65 runs user SQL only inside QueryView.data and TableView.data and says nothing of it to plugins; on 1.0 the
    same views exist (QueryView, TableView.data as a function): port the two wraps.
    """
    from datasette.views.database import QueryView
    from datasette.views.table import TableView

    wrap_once(QueryView, "data", mark, query_wrap)
    wrap_once(TableView, "data", mark, table_wrap)


def wrap_data_views(mark: str, wrap) -> None:
    """Wrap how Datasette's data views (database, table, row, as HTML, JSON or CSV) answer a request, once per process.

    0.65 gives plugins no hook between the actor's resolution and a view's answer, and the actor is not known to
    `asgi_wrapper` layers. 1.0's views are functions (table_view, row_view, database_view): wrap those.
    """
    from datasette.views.base import DataView

    wrap_once(DataView, "dispatch_request", mark, wrap)


def sets_cookie(response) -> bool:
    """Whether a view's Response sets a cookie (0.65 keeps set_cookie()'s in a private list; 1.0 the same)."""
    return bool(getattr(response, "_set_cookie_headers", None)) or any(
        name.lower() == "set-cookie" for name in response.headers
    )


def collected_stream(response, limit: int, keep):
    """For a streamed answer (a CSV export with `_stream`), the same stream that also collects what it sends and,
    if it ends within `limit` bytes, calls `keep(body)`; None for any other answer. 0.65's AsgiStream keeps its
    body function as an attribute, and its writer takes text; 1.0: the same class."""
    from datasette.utils.asgi import AsgiStream

    if type(response) is not AsgiStream:
        return None
    stream_fn = response.stream_fn

    class Collector:
        def __init__(self, writer):
            self.writer, self.chunks, self.size = writer, [], 0

        async def write(self, chunk: str) -> None:
            await self.writer.write(chunk)
            if self.chunks is not None:
                encoded = chunk.encode("utf-8")
                self.size += len(encoded)
                if self.size > limit:
                    self.chunks = None
                else:
                    self.chunks.append(encoded)

    async def collecting(writer) -> None:
        collector = Collector(writer)
        await stream_fn(collector)
        if collector.chunks is not None:
            keep(b"".join(collector.chunks))

    return AsgiStream(collecting, status=response.status, headers=response.headers, content_type=response.content_type)


def table_view(datasette_instance):
    """Datasette's own table view as an ASGI view, for a route that checks permissions before it (0.65 answers 404
    for a missing table before it checks them). 1.0: the `view-table` check comes first; drop the route."""
    from datasette.views.table import TableView

    return TableView.as_view(datasette_instance)


def json_data_view(datasette_instance, filename: str, data):
    """Datasette's view for its /-/ JSON pages, over `data()`: the same HTML and JSON as /-/databases. 1.0: the
    introspection pages check permissions themselves; drop the routes."""
    from datasette.views.special import JsonDataView

    return JsonDataView.as_view(datasette_instance, filename, data)


def connected_databases(datasette_instance) -> list[dict]:
    """What /-/databases lists (0.65 offers it only as a private method; 1.0: the same, filtered by permission)."""
    return datasette_instance._connected_databases()


# --- Permissions --------------------------------------------------------------------------------------------------


def remember_table_permissions(datasette_instance, tables_remembered: int) -> None:
    """Work out each table's `allow` rules once per process instead of on every check.

    0.65 deep-copies the whole metadata on every `view-table` check (~2 ms on a province release, 100 ms of every
    home page). Kept only when no plugin supplies metadata at run time, whose answers might change. 1.0 resolves
    permissions in SQL from the internal database: drop this.
    """
    if _plugin_manager().hook.get_metadata.get_hookimpls():
        return
    worked_out = datasette_instance._table_permission_allows

    @functools.lru_cache(maxsize=tables_remembered)
    def remembered(database, table):
        return tuple(worked_out(database, table))  # a tuple: no caller can change what the next one sees

    datasette_instance._table_permission_allows = remembered


def actors_from_request(datasette_instance, request) -> list:
    """What the authentication plugins make of a request, before Datasette does (the rate limiter keys its
    buckets by token). 0.65 resolves the actor inside its own router only; 1.0 the same: keep."""
    return _plugin_manager().hook.actor_from_request(datasette=datasette_instance, request=request)


def without_installed_plugins() -> None:
    """Make this process's Datasette load no installed plugin, the portal's included: the benchmark's baseline is
    Datasette as it comes. 0.65 skips its entry points when `sys._called_from_test` is set (its own test switch);
    1.0: the DATASETTE_LOAD_PLUGINS environment variable, set to an empty string."""
    import sys

    if "datasette.plugins" in sys.modules:
        raise RuntimeError("Datasette has already loaded its plugins in this process")
    sys._called_from_test = True


def run_plain_cli(argv: list[str]) -> None:
    """`datasette <argv>` with no installed plugin (see without_installed_plugins)."""
    without_installed_plugins()
    from datasette.cli import cli

    cli.main(args=argv, prog_name="datasette")


def register_plugins(modules: list[str], prefix: str) -> None:
    """Register `modules` with Datasette's plugin manager so that their hooks are called in the listed order (pluggy
    calls the last registered first), each once. Datasette registers its DEFAULT_PLUGINS with the same private
    `pm`; 1.0: the same."""
    import importlib

    pm = _plugin_manager()
    for module in reversed(modules):
        name = prefix + module.rpartition(".")[2]
        if pm.get_plugin(name) is None:
            pm.register(importlib.import_module(module), name=name)


def installed_plugin_modules() -> set[str]:
    """The names of the plugin modules Datasette has loaded."""
    return {getattr(plugin, "__name__", None) for plugin in _plugin_manager().get_plugins()}


def replace_hook_results(outcome, results: list) -> None:
    """From a `hookwrapper` implementation, hand Datasette `results` instead of what the other plugins returned.

    The Content-Security-Policy allows inline scripts by hash, so it must see the scripts other plugins add through
    `extra_body_script`; 0.65 shows them to no one (pluggy's hookwrapper does). 1.0: the same hook; keep.
    """
    outcome.force_result(results)


def csrf_token(request) -> str:
    """The CSRF token that a form posted with this request must carry: asgi-csrf (which 0.65 wraps its router in)
    puts a function returning it into the scope, the one behind the templates' `csrftoken()`. It is the value of
    the visitor's signed `ds_csrftoken` cookie when that cookie verifies, otherwise a fresh token that no form can
    hold (and the cookie it is set in on this response). asgi-csrf itself checks no POST that comes without any
    cookie, so a plugin whose route takes a form skips its check (`skip_csrf`) and compares with this. 1.0: the
    same middleware; keep."""
    return request.scope["csrftoken"]()


# --- Errors -------------------------------------------------------------------------------------------------------


def quiet_error_tracebacks() -> None:
    """Stop 0.65's handler printing every error, a 400 included, as a rich traceback with each frame's locals:
    half a second of the event loop per error, and request headers (API tokens) in the log. 1.0: the same
    handler; keep until it logs server errors only."""
    import datasette.handle_exception as errors

    errors.rich = None


# 0.65 raises these with its default status, 500, although the request is at fault.
REQUEST_FAULTS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time", "Invalid _through")


def request_at_fault(exception) -> bool:
    """Whether a DatasetteError that 0.65 raised as a 500 was caused by the request (a sort by a column that cannot be
    sorted, _sort with _sort_desc, a malformed _through). 0.65 says so only in the English text of its message,
    which this matches; 1.0: check whether these are 400s and drop."""
    return str(getattr(exception, "message", "")).startswith(REQUEST_FAULTS)


def retell_error(exception, message, title) -> None:
    """Replace a DatasetteError's message and title before 0.65's handler renders them (its page and JSON read
    these attributes). 1.0: the same attributes; keep."""
    exception.message = message
    exception.title = title


def error_is_html(exception) -> bool:
    """Whether 0.65 renders a DatasetteError's message as HTML (the query-interrupted page). 1.0: the same."""
    return bool(getattr(exception, "message_is_html", False))


def error_response(datasette_instance, request, exception):
    """Datasette's own error page (HTML or JSON, its templates) for `exception`. 1.0: the same function."""
    import datasette.handle_exception as errors

    return errors.handle_exception(datasette_instance, request, exception)


# --- Build ----------------------------------------------------------------------------------------------------------


async def inspect_files(paths: list[str]) -> dict:
    """`datasette inspect` of database files (table counts for immutable serving). 0.65 offers it only as the
    CLI's private helper; 1.0: the same (`datasette inspect`)."""
    from datasette.cli import inspect_

    return await inspect_(paths, None)


# --- Serving ----------------------------------------------------------------------------------------------------


def run_cli(argv: list[str], **uvicorn_options) -> None:
    """Datasette's command line (`datasette serve ...`) with `uvicorn_options` added to the uvicorn.run call it makes.

    0.65's `serve` passes uvicorn only the host, port, log level, lifespan and workers, so uvicorn's defaults stay:
    a `server: uvicorn` header and X-Forwarded-* believed from 127.0.0.1. 1.0: the same call; keep.
    """
    import uvicorn
    from datasette.cli import cli

    run = uvicorn.run

    def run_with_options(app, **options):
        return run(app, **{**options, **uvicorn_options})

    uvicorn.run = run_with_options  # datasette.cli looks it up as uvicorn.run when it serves
    try:
        cli.main(args=argv, prog_name="datasette")
    finally:
        uvicorn.run = run


# --- Static files -------------------------------------------------------------------------------------------------
# 0.65 serves static files uncompressed with no cache headers (its own TODO says so); the portal serves them itself
# (plugins/static_assets.py) from the same directories, which no documented API lists.


def static_directories(datasette_instance) -> list[tuple[str, str]]:
    """Each URL prefix Datasette 0.65 serves static files under, with its directory: its own `/-/static/`, the
    `--static` mounts (the `static_mounts` attribute) and every plugin's `/-/static-plugins/<name>/` under both
    spellings of the name (`get_plugins`, the list behind /-/plugins.json). 1.0: the same routes."""
    from datasette.plugins import get_plugins

    mounts = [("/-/static/", os.path.join(os.path.dirname(datasette.__file__), "static"))]
    mounts += [(f"/{path}/", str(dirname)) for path, dirname in datasette_instance.static_mounts]
    for plugin in get_plugins():
        if plugin["static_path"]:
            for name in dict.fromkeys([plugin["name"], plugin["name"].replace("-", "_")]):
                mounts.append((f"/-/static-plugins/{name}/", plugin["static_path"]))
    return mounts
