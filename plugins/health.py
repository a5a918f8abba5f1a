"""`/-/health` (the process answers) and `/-/ready` (the release's databases answer a query, are the files the build
sealed and hold the tables it listed, and its metadata is loaded), for load balancers, the cluster supervisor and
orchestrators' probes. Both name the release served.

Neither is rate limited (plugins/rate_limit.py exempts them): a probe must not be refused because a busy client
shares its address. Both are cheap, a single-row query per database at most, and never cached. Anyone may ask, so
the answers name no database: the restricted tier must not show through them. The server log has the details.

Readiness queries each database on a thread and a connection of its own, never on Datasette's SQL threads: those
may all be busy with visitors' queries, each up to the time limit and more waiting, and a probe waiting behind them
would take a busy but healthy server out of its load balancer.

A release file truncated, overwritten in part or replaced by another SQLite file still starts with an SQLite header
and may still answer a query, while pages read from it answer 500 or 404. So each database file of the release is
checked against the SHA-256 the build recorded in the release's SHA256SUMS, and for the tables its inspect.json and
metadata list: at start (on the probe thread, about 0.35 s per 500 MB) and again whenever the file's device, inode,
size, modification or change time differ from when it was last checked; otherwise a probe costs one stat per file.

The partner tokens database is not part of the release: a problem with it does not take the public tier out of
service (readiness stays 200), but the answer says so with "status": "degraded".
"""

import asyncio
import hashlib
import logging
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, compat, contract
from .portal_site.serving import served_release

NO_STORE = {"cache-control": "no-store"}
SQLITE_HEADER = b"SQLite format 3\x00"
PROBE_SECONDS = 5  # a database that has not answered by then is not ready
SEAL = "SHA256SUMS"  # the release's checksums, in sha256sum's format (scripts/build/publish/release_seal.py)
TOKENS_MISSING = "the partner token database is missing: every token is refused"
TOKENS_UNREADABLE = "the partner token database cannot be read: every token is refused"
TOKENS_REPLACED = "the partner token database was replaced since start: tokens are checked against the new file"
_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-ready")
log = logging.getLogger(__name__)


def _answer(status: str, release: str, code: int = 200, **details) -> Response:
    return Response.json({"status": status, "release": release, **details}, status=code, headers=NO_STORE)


async def health(datasette):
    return _answer("ok", served_release(datasette))


def _connect(path: str, mutable: bool) -> sqlite3.Connection:
    """A read-only connection opened for the probe: the file as it is now, below any cache."""
    return sqlite3.connect(
        f"file:{quote(path)}?{'mode=ro' if mutable else 'immutable=1'}", uri=True, timeout=PROBE_SECONDS
    )


def _answers_a_query(path: str, mutable: bool) -> None:
    connection = _connect(path, mutable)
    try:
        connection.execute("select 1 from sqlite_master limit 1").fetchall()
    finally:
        connection.close()


# Release file path -> (its signature when last checked, the problem found then or None); probe thread only.
_checked: dict[str, tuple[tuple, str | None]] = {}


def _signature(path: str) -> tuple:
    found = os.stat(path)
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _sealed_digest(path: str) -> tuple[str | None, str | None]:
    """The SHA-256 the release's seal gives the file, or the problem that keeps it from saying."""
    seal = os.path.join(os.path.dirname(path), SEAL)
    try:
        with open(seal, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None, "the release has no readable checksums (SHA256SUMS) to check its files against"
    name = os.path.basename(path)
    for line in lines:
        digest, _, listed = line.partition("  ")
        if listed == name:
            return digest, None
    return None, "a database file of the release is not in the release's checksums"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _first_problem(path: str, tables: frozenset[str]) -> str | None:
    expected, problem = _sealed_digest(path)
    if problem:
        return problem
    if _sha256(path) != expected:
        return "a database file of the release differs from the checksum the build recorded"
    connection = _connect(path, mutable=False)
    try:
        found = {row[0] for row in connection.execute("select name from sqlite_master where type in ('table', 'view')")}
    finally:
        connection.close()
    if not tables <= found:
        return "a database file of the release lacks tables the release lists"
    return None


def _release_file_problem(path: str, tables: frozenset[str]) -> str | None:
    """Why a database file of the release is not the one the build sealed, checked again only once it changed."""
    signature = _signature(path)  # taken first: a change made while the file is read is seen by the next probe
    known = _checked.get(path)
    if known is None or known[0] != signature:
        known = _checked[path] = (signature, _first_problem(path, tables))
    return known[1]


def _examine(path: str, mutable: bool, tables: frozenset[str]) -> str | None:
    """The problem with a database file (its seal first: the plainest reason), or an error if it answers no query."""
    problem = None if mutable else _release_file_problem(path, tables)
    if problem is None:
        _answers_a_query(path, mutable)
    return problem


def _expected_tables(datasette, name: str) -> frozenset[str]:
    inspected = (datasette.inspect_data or {}).get(name, {}).get("tables") or {}
    described = datasette.metadata("tables", database=name, fallback=False) or {}
    return frozenset(inspected) | frozenset(described)


def _tokens_state(database) -> list[str]:
    """What is wrong with the partner tokens database now, or what happened to it; probe thread."""
    readable = database.readable()
    if readable is None:
        return [TOKENS_MISSING]
    if not readable:
        return [TOKENS_UNREADABLE]
    now, started = compat.file_identity(database.path), database.started_as
    return [TOKENS_REPLACED] if now and started and now[:2] != started[:2] else []


def _still_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _tokens_database(datasette):
    name = (datasette.plugin_config(contract.RESTRICTED_TIER_CONFIG) or {}).get("tokens_database")
    database = datasette.databases.get(name) if name else None
    return database if isinstance(database, compat.FollowedDatabase) else None


async def _problems(datasette, release: str) -> list[str]:
    """What keeps the portal from serving its release, said without naming a database; details go to the log."""
    problems = []
    tokens = _tokens_database(datasette)
    for name, database in datasette.databases.items():
        if name.startswith("_") or not database.path or database is tokens:
            continue  # Datasette's own in-memory database, the tokens database: not the release's
        if not _still_sqlite(database.path):
            # Open connections read an immutable file as it was when opened, even once it is deleted or replaced:
            # a query alone would not notice a release pruned or damaged under a running process.
            log.warning("not ready: database file %s is gone or is not an SQLite file", database.path)
            problems.append("a database file of the release is gone or damaged")
            continue
        try:
            probe = asyncio.get_running_loop().run_in_executor(
                _probes, _examine, database.path, database.is_mutable, _expected_tables(datasette, name)
            )
            problem = await asyncio.wait_for(probe, PROBE_SECONDS)
        except TimeoutError:
            log.warning("not ready: database %s was not checked within %s s", name, PROBE_SECONDS)
            problems.append("a database of the release was not checked in time")
            continue
        except Exception as error:  # whatever stops a query stops the portal: report it, answer 503
            log.warning("not ready: database %s does not answer a query: %s", name, error)
            problems.append("a database of the release does not answer a query")
            continue
        if problem:
            log.warning("not ready: database file %s: %s", database.path, problem)
            problems.append(problem)
    if catalogue.PUBLIC not in datasette.databases:
        problems.append("the public database is not served")
    # The release's metadata.json names every published table; without it pages lose titles, facets and licences.
    if not datasette.metadata("tables", database=catalogue.PUBLIC, fallback=False):
        problems.append("the release's table metadata is not loaded")
    if not release:
        problems.append("the public database is not a release's file")
    return problems


async def _tokens_notes(datasette) -> list[str]:
    tokens = _tokens_database(datasette)
    if tokens is None:
        return []
    try:
        probe = asyncio.get_running_loop().run_in_executor(_probes, _tokens_state, tokens)
        return await asyncio.wait_for(probe, PROBE_SECONDS)
    except Exception as error:
        log.warning("the tokens database was not checked: %s", error)
        return [TOKENS_UNREADABLE]


async def ready(datasette):
    release = served_release(datasette)
    problems = await _problems(datasette, release)
    notes = await _tokens_notes(datasette)
    if problems:
        return _answer("unavailable", release, 503, problems=sorted(set(problems) | set(notes)))
    if set(notes) - {TOKENS_REPLACED}:
        return _answer("degraded", release, problems=notes)
    return _answer("ok", release, **({"notes": notes} if notes else {}))


@hookimpl
def startup(datasette):
    # The release's files are checked against their seal from the start, on the probe thread, so that the first
    # probe rarely waits for it.
    for name, database in datasette.databases.items():
        if database.path and not database.is_mutable:
            # An error stays in the discarded future; the next probe meets it again and reports it.
            _probes.submit(_release_file_problem, database.path, _expected_tables(datasette, name))


@hookimpl
def register_routes():
    return [(r"^/-/health$", health), (r"^/-/ready$", ready)]
