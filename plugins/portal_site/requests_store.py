"""The public's requests (problems with a dataset, new datasets asked for): a small SQLite file of their own.

It lives outside build/ and outside every release ($PORTAL_REQUESTS_DB, default var/requests.db in the repository)
and is never mounted in Datasette, so nothing a visitor writes can reach the served databases. Several server
processes write it at once: WAL lets readers go on while one writes, the busy timeout makes a writer wait for the
lock instead of failing, and each submission is one IMMEDIATE transaction that checks the cap on pending requests
and inserts, so the cap holds across processes and no submission is lost or stored twice.

The portal (plugins/public_requests.py) and the admins' command (scripts/ops/requests_admin.py) use this module.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATH_VARIABLE = "PORTAL_REQUESTS_DB"
DEFAULT_PATH = ROOT / "var" / "requests.db"
# The cap on what waits for an answer: beyond it new submissions are refused (429) so that a flood cannot fill the
# disk. Each can be set in the environment; the defaults hold a few megabytes.
MAX_OPEN_VARIABLE, MAX_OPEN_BYTES_VARIABLE = "PORTAL_REQUESTS_MAX_OPEN", "PORTAL_REQUESTS_MAX_OPEN_BYTES"
DEFAULT_MAX_OPEN, DEFAULT_MAX_OPEN_BYTES = 2_000, 8_000_000
BUSY_TIMEOUT_SECONDS = 30
KINDS = ("problem", "new_dataset")
OPEN, ANSWERED = "open", "answered"
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
SCHEMA = f"""
create table if not exists requests (
    id integer primary key autoincrement,
    kind text not null check (kind in {KINDS}),
    dataset text,
    message text not null,
    name text,
    email text,
    lang text not null,
    bytes integer not null,
    created_at text not null,
    status text not null default '{OPEN}' check (status in ('{OPEN}', '{ANSWERED}')),
    answer text,
    answered_at text
);
create index if not exists requests_by_status on requests (status, id);
"""
# What the public page shows: never the name or the e-mail address given.
PUBLIC_COLUMNS = "id, kind, dataset, message, created_at, answer, answered_at"


class RequestError(Exception):
    """A request command cannot be carried out; the message says why."""


class NoSuchRequest(RequestError):
    pass


class AlreadyAnswered(RequestError):
    pass


class StoreFull(RequestError):
    """Too many requests, or too many bytes of them, wait for an answer."""


@dataclass(frozen=True)
class Submission:
    kind: str
    dataset: str | None
    message: str
    name: str | None
    email: str | None
    lang: str

    @property
    def bytes(self) -> int:
        return sum(len((value or "").encode("utf-8")) for value in (self.dataset, self.message, self.name, self.email))


def default_path() -> Path:
    value = os.environ.get(PATH_VARIABLE)
    return Path(value).expanduser() if value else DEFAULT_PATH


def caps() -> tuple[int, int]:
    """(requests, bytes) that may wait for an answer at once, from the environment or the defaults."""

    def number(name: str, default: int) -> int:
        text = os.environ.get(name, "").strip()
        if not text:
            return default
        if not text.isdigit() or int(text) < 1:
            raise RequestError(f"${name} must be a positive whole number, not {text!r}")
        return int(text)

    return number(MAX_OPEN_VARIABLE, DEFAULT_MAX_OPEN), number(MAX_OPEN_BYTES_VARIABLE, DEFAULT_MAX_OPEN_BYTES)


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime(TIMESTAMP)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    return db


_ready: set[Path] = set()


def ensure(path: Path) -> Path:
    """Create the store, readable by its owner only, in WAL mode, if it is not there yet."""
    if path in _ready and path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            with closing(_connect(path)) as db:
                # Switching to WAL needs a moment alone with the file: two processes creating it together may be
                # told "locked" whatever the busy timeout, so that step is tried again.
                db.execute("pragma journal_mode = wal")
                db.executescript(SCHEMA)
            break
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    path.chmod(0o600)
    _ready.add(path)
    return path


def submit(path: Path, submission: Submission, limits: tuple[int, int] | None = None) -> int:
    """Store a submission and return its id; StoreFull when the pending ones already reach the cap."""
    max_open, max_bytes = limits or caps()
    with closing(_connect(ensure(path))) as db:
        db.execute("begin immediate")  # the cap's check and the insert under one write lock, across processes
        try:
            count, size = db.execute(
                f"select count(*), coalesce(sum(bytes), 0) from requests where status = '{OPEN}'"
            ).fetchone()
            if count >= max_open or size + submission.bytes > max_bytes:
                raise StoreFull(f"{count} requests ({size} bytes) are waiting for an answer")
            cursor = db.execute(
                "insert into requests (kind, dataset, message, name, email, lang, bytes, created_at) "
                "values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission.kind,
                    submission.dataset,
                    submission.message,
                    submission.name,
                    submission.email,
                    submission.lang,
                    submission.bytes,
                    now(),
                ),
            )
            db.execute("commit")
            return cursor.lastrowid
        except BaseException:
            db.execute("rollback")
            raise


def _rows(path: Path, sql: str, parameters=()) -> list[dict]:
    if not path.exists():
        return []  # nobody has written yet: reading creates nothing
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, parameters)]


def all_requests(path: Path) -> list[dict]:
    """Every request, those waiting for an answer first, oldest first within each (the admins' list)."""
    return _rows(path, f"select * from requests order by status != '{OPEN}', id")


def answered(path: Path, limit: int = 200) -> list[dict]:
    """Answered requests for the public page, most recently answered first, without the name or e-mail given."""
    return _rows(
        path,
        f"select {PUBLIC_COLUMNS} from requests where status = '{ANSWERED}' order by answered_at desc, id desc limit ?",
        (limit,),
    )


def answer(path: Path, request_id: int, text: str) -> dict:
    """Answer a request waiting for one and close it; returns the request as it is now."""
    text = text.strip()
    if not text:
        raise RequestError("the answer is empty: write what the person asking should know")
    if not path.exists():
        raise NoSuchRequest(f"no request has id {request_id}: {path} does not exist yet (nobody has written)")
    with closing(_connect(path)) as db:
        db.row_factory = sqlite3.Row
        db.execute("begin immediate")
        try:
            row = db.execute("select * from requests where id = ?", (request_id,)).fetchone()
            if row is None:
                raise NoSuchRequest(f"no request has id {request_id} (`make requests` lists them)")
            if row["status"] == ANSWERED:
                raise AlreadyAnswered(f"request {request_id} was already answered on {row['answered_at']}")
            db.execute(
                f"update requests set status = '{ANSWERED}', answer = ?, answered_at = ? where id = ?",
                (text, now(), request_id),
            )
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        return dict(db.execute("select * from requests where id = ?", (request_id,)).fetchone())
