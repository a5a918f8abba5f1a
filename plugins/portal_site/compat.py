"""The one door to Datasette's internals: everything the portal needs from Datasette 0.65 that no documented hook or
API gives. No other module imports Datasette's private modules or replaces its methods.

Each function says which 0.65 behaviour it works around and what replaces it on Datasette 1.0; the same list, in
one table, is in docs/architecture.md. Importing this module on any Datasette other than 0.65.x fails at once with
a message saying so, rather than serving with workarounds that no longer fit.
"""

from __future__ import annotations

import functools

import datasette
from datasette.plugins import pm

SUPPORTED = "0.65."
if not datasette.__version__.startswith(SUPPORTED):
    raise RuntimeError(
        f"the portal's plugins work around Datasette {SUPPORTED}x internals (plugins/portal_site/compat.py) and "
        f"this is Datasette {datasette.__version__}: install the version pinned in requirements.txt, or port "
        "compat.py (docs/architecture.md lists each workaround and what replaces it on 1.0)"
    )

# The private modules, imported here only.
import datasette.handle_exception as _errors
from datasette.cli import cli as _cli
from datasette.cli import inspect_ as _inspect
from datasette.database import Database
from datasette.views.base import DatasetteError
from datasette.views.database import QueryView
from datasette.views.special import JsonDataView
from datasette.views.table import TableView

__all__ = ["Database", "DatasetteError"]


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


# --- Views ------------------------------------------------------------------------------------------------------


def wrap_sql_views(mark: str, query_wrap, table_wrap) -> None:
    """Wrap the data methods of the two views that run SQL a visitor wrote (`?sql=`, canned queries, `_where`).

    0.65 runs user SQL only inside QueryView.data and TableView.data and says nothing of it to plugins; on 1.0 the
    same views exist (QueryView, TableView.data as a function): port the two wraps.
    """
    wrap_once(QueryView, "data", mark, query_wrap)
    wrap_once(TableView, "data", mark, table_wrap)


def table_view(datasette_instance):
    """Datasette's own table view as an ASGI view, for a route that checks permissions before it (0.65 answers 404
    for a missing table before it checks them). 1.0: the `view-table` check comes first; drop the route."""
    return TableView.as_view(datasette_instance)


def json_data_view(datasette_instance, filename: str, data):
    """Datasette's view for its /-/ JSON pages, over `data()`: the same HTML and JSON as /-/databases. 1.0: the
    introspection pages check permissions themselves; drop the routes."""
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
    if pm.hook.get_metadata.get_hookimpls():
        return
    worked_out = datasette_instance._table_permission_allows

    @functools.lru_cache(maxsize=tables_remembered)
    def remembered(database, table):
        return tuple(worked_out(database, table))  # a tuple: no caller can change what the next one sees

    datasette_instance._table_permission_allows = remembered


def actors_from_request(datasette_instance, request) -> list:
    """What the authentication plugins make of a request, before Datasette does (the rate limiter keys its
    buckets by token). 0.65 resolves the actor inside its own router only; 1.0 the same: keep."""
    return pm.hook.actor_from_request(datasette=datasette_instance, request=request)


def installed_plugin_modules() -> set[str]:
    """The names of the plugin modules Datasette has loaded."""
    return {getattr(plugin, "__name__", None) for plugin in pm.get_plugins()}


def replace_hook_results(outcome, results: list) -> None:
    """From a `hookwrapper` implementation, hand Datasette `results` instead of what the other plugins returned.

    The Content-Security-Policy allows inline scripts by hash, so it must see the scripts other plugins add through
    `extra_body_script`; 0.65 shows them to no one (pluggy's hookwrapper does). 1.0: the same hook; keep.
    """
    outcome.force_result(results)


# --- Errors -------------------------------------------------------------------------------------------------------


def quiet_error_tracebacks() -> None:
    """Stop 0.65's handler printing every error, a 400 included, as a rich traceback with each frame's locals:
    half a second of the event loop per error, and request headers (API tokens) in the log. 1.0: the same
    handler; keep until it logs server errors only."""
    _errors.rich = None


def error_response(datasette_instance, request, exception):
    """Datasette's own error page (HTML or JSON, its templates) for `exception`. 1.0: the same function."""
    return _errors.handle_exception(datasette_instance, request, exception)


# --- Build ----------------------------------------------------------------------------------------------------------


async def inspect_files(paths: list[str]) -> dict:
    """`datasette inspect` of database files (table counts for immutable serving). 0.65 offers it only as the
    CLI's private helper; 1.0: the same (`datasette inspect`)."""
    return await _inspect(paths, None)


# --- Serving ----------------------------------------------------------------------------------------------------


def run_cli(argv: list[str], **uvicorn_options) -> None:
    """Datasette's command line (`datasette serve ...`) with `uvicorn_options` added to the uvicorn.run call it makes.

    0.65's `serve` passes uvicorn only the host, port, log level, lifespan and workers, so uvicorn's defaults stay:
    a `server: uvicorn` header and X-Forwarded-* believed from 127.0.0.1. 1.0: the same call; keep.
    """
    import uvicorn

    run = uvicorn.run

    def run_with_options(app, **options):
        return run(app, **{**options, **uvicorn_options})

    uvicorn.run = run_with_options  # datasette.cli looks it up as uvicorn.run when it serves
    try:
        _cli.main(args=argv, prog_name="datasette")
    finally:
        uvicorn.run = run
