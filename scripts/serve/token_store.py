"""The partner-agency tokens database: kept outside build/, never served, holding token hashes and never tokens."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import unicodedata
from contextlib import closing
from pathlib import Path

from plugins.api_tokens import new_token

ALL_DATASETS = "*"
DATASET_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Vietnam keeps UTC+7 all year: a token issued "until 2027-06-30" works until that day ends in the province.
PROVINCE_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")
# One text format for every timestamp, so that SQL can compare them as strings (see TOKEN_QUERY in serve.py).
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
SCHEMA = """
create table if not exists tokens (
    id integer primary key autoincrement,
    token_hash text not null unique,
    agency text not null,
    datasets text not null,
    created_at text not null,
    expires_at text not null,
    revoked integer not null default 0 check (revoked in (0, 1)),
    revoked_at text,
    last_used_at text
)
"""
LISTED = "id, agency, datasets, created_at, expires_at, revoked, revoked_at, last_used_at"


class TokenError(Exception):
    """A token command cannot be carried out; the message says why."""


class BadExpiry(TokenError):
    """The expiry date is malformed or already past."""


class BadDatasets(TokenError):
    """The dataset list is empty, malformed or names a dataset that is not restricted."""


class NoSuchToken(TokenError):
    """No token has this id."""


def default_path() -> Path:
    """Where the tokens database lives: $PORTAL_TOKENS_DB, else the user's state directory."""
    if os.environ.get("PORTAL_TOKENS_DB"):
        return Path(os.environ["PORTAL_TOKENS_DB"]).expanduser()
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "open-data-portal" / "tokens.db"


def ensure(path: Path) -> Path:
    """Create the tokens database, readable by its owner only, if it does not exist yet."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(SCHEMA)
    path.chmod(0o600)
    return path


def utc_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(TIMESTAMP)


def expiry(text: str, today: dt.date) -> str:
    """The UTC instant a token stops working, from the last day (YYYY-MM-DD, province time) it may be used."""
    try:
        last_day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadExpiry(f"expiry {text!r}: expected a date as YYYY-MM-DD, e.g. 2027-06-30") from None
    if last_day < today:
        raise BadExpiry(f"expiry {last_day.isoformat()} is in the past (today is {today.isoformat()})")
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), PROVINCE_TIME)
    return utc_timestamp(end)


def datasets(text: str, published: set[str] | None) -> str:
    """The stored dataset grant: "*", or dataset names separated by commas, checked against what is published."""
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if names == [ALL_DATASETS]:
        return ALL_DATASETS
    if not names:
        raise BadDatasets("no datasets given: name restricted datasets separated by commas, or * for all")
    malformed = [name for name in names if not DATASET_NAME.fullmatch(name)]
    if malformed:
        raise BadDatasets(f"not dataset names: {', '.join(malformed)} (use snake_case ids, or * alone for all)")
    unknown = [name for name in names if published is not None and name not in published]
    if unknown:
        known = ", ".join(sorted(published)) or "none"
        raise BadDatasets(f"not restricted datasets of the current release: {', '.join(unknown)} (published: {known})")
    return ",".join(names)


def create(path: Path, agency: str, grant: str, expires_at: str, now: dt.datetime | None = None) -> tuple[int, str]:
    """Store a new token for an agency; return its id and the token, which is not kept anywhere."""
    agency = unicodedata.normalize("NFC", agency.strip())
    if not agency:
        raise TokenError("the agency name is empty")
    token, hashed = new_token()
    created_at = utc_timestamp(now or dt.datetime.now(dt.UTC))
    with closing(sqlite3.connect(ensure(path))) as db, db:
        cursor = db.execute(
            "insert into tokens (token_hash, agency, datasets, created_at, expires_at) values (?, ?, ?, ?, ?)",
            (hashed, agency, grant, created_at, expires_at),
        )
        return cursor.lastrowid, token


def list_tokens(path: Path) -> list[dict]:
    """Every token's record, oldest first, without its hash."""
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(f"select {LISTED} from tokens order by id")]


def revoke(path: Path, token_id: int, now: dt.datetime | None = None) -> bool:
    """Revoke a token for good; False when it had already been revoked."""
    revoked_at = utc_timestamp(now or dt.datetime.now(dt.UTC))
    with closing(sqlite3.connect(ensure(path))) as db, db:
        row = db.execute("select revoked from tokens where id = ?", (token_id,)).fetchone()
        if row is None:
            raise NoSuchToken(f"no token has id {token_id}")
        if row[0]:
            return False
        db.execute("update tokens set revoked = 1, revoked_at = ? where id = ?", (revoked_at, token_id))
        return True


def status(record: dict, now: dt.datetime) -> str:
    """active, expired or revoked."""
    if record["revoked"]:
        return "revoked"
    return "expired" if record["expires_at"] <= utc_timestamp(now) else "active"
