"""`/-/health` (the process answers) and `/-/ready` (the release's databases answer a query and its metadata is
loaded), for load balancers, the cluster supervisor and orchestrators' probes. Both name the release served.

Neither is rate limited (plugins/rate_limit.py exempts them): a probe must not be refused because a busy client
shares its address. Both are cheap, a single-row query per database at most, and never cached. Anyone may ask, so
the answers name no database: the restricted tier must not show through them. The server log has the details.

Readiness queries each database on a thread and a connection of its own, never on Datasette's SQL threads: those
may all be busy with visitors' queries, each up to the time limit and more waiting, and a probe waiting behind them
would take a busy but healthy server out of its load balancer.
"""

import asyncio
import logging
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site import catalogue
from portal_site.serving import served_release

NO_STORE = {"cache-control": "no-store"}
SQLITE_HEADER = b"SQLite format 3\x00"
PROBE_SECONDS = 5  # a database that has not answered by then is not ready
_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-ready")
log = logging.getLogger(__name__)


def _answer(status: str, release: str, code: int = 200, **details) -> Response:
    return Response.json({"status": status, "release": release, **details}, status=code, headers=NO_STORE)


async def health(datasette):
    return _answer("ok", served_release(datasette))


def _answers_a_query(path: str, mutable: bool) -> None:
    """One query on a read-only connection opened for it: the file as it is now, below any cache."""
    connection = sqlite3.connect(f"file:{quote(path)}?{'mode=ro' if mutable else 'immutable=1'}", uri=True,
                                 timeout=PROBE_SECONDS)
    try:
        connection.execute("select 1 from sqlite_master limit 1").fetchall()
    finally:
        connection.close()


def _still_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


async def _problems(datasette, release: str) -> list[str]:
    """What keeps the portal from serving its release, said without naming a database; details go to the log."""
    problems = []
    for name, database in datasette.databases.items():
        if name.startswith("_") or not database.path:
            continue  # Datasette's own in-memory database, not the release's
        if not _still_sqlite(database.path):
            # Open connections read an immutable file as it was when opened, even once it is deleted or replaced:
            # a query alone would not notice a release pruned or damaged under a running process.
            log.warning("not ready: database file %s is gone or is not an SQLite file", database.path)
            problems.append("a database file of the release is gone or damaged")
            continue
        try:
            probe = asyncio.get_running_loop().run_in_executor(_probes, _answers_a_query, database.path,
                                                               database.is_mutable)
            await asyncio.wait_for(probe, PROBE_SECONDS)
        except Exception as error:  # whatever stops a query stops the portal: report it, answer 503
            log.warning("not ready: database %s does not answer a query: %s", name, error)
            problems.append("a database of the release does not answer a query")
    if catalogue.PUBLIC not in datasette.databases:
        problems.append("the public database is not served")
    # The release's metadata.json names every published table; without it pages lose titles, facets and licences.
    if not datasette.metadata("tables", database=catalogue.PUBLIC, fallback=False):
        problems.append("the release's table metadata is not loaded")
    if not release:
        problems.append("the public database is not a release's file")
    return problems


async def ready(datasette):
    release = served_release(datasette)
    problems = await _problems(datasette, release)
    if problems:
        return _answer("unavailable", release, 503, problems=sorted(set(problems)))
    return _answer("ok", release)


@hookimpl
def register_routes():
    return [(r"^/-/health$", health), (r"^/-/ready$", ready)]
