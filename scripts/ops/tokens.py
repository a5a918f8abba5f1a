"""Admin commands for partner-agency API tokens: create (the token is printed once), list, revoke."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from scripts.serve import token_store
from scripts.serve.restricted_tier import RESTRICTED_DATABASE

COLUMNS = ("id", "agency", "datasets", "created_at", "expires_at", "status", "last_used_at")


def published_datasets(build_dir: Path) -> set[str] | None:
    """The restricted datasets of the current release, or None when it has no restricted database."""
    path = build_dir / "current" / f"{RESTRICTED_DATABASE}.db"
    if not path.exists():
        return None
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        rows = db.execute("select name, sql from sqlite_master where type in ('table', 'view')").fetchall()
    # Full-text indexes and their shadow tables are not datasets.
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    return {
        name
        for name, _ in rows
        if name not in virtual and not name.startswith("sqlite_") and not any(name.startswith(f"{v}_") for v in virtual)
    }


def _create(args) -> int:
    today = dt.datetime.now(token_store.PROVINCE_TIME).date()
    expires_at = token_store.expiry(args.expires, today)
    published = published_datasets(args.build)
    if published is None:
        print(
            f"warning: {args.build}/current has no {RESTRICTED_DATABASE}.db; dataset names were not checked",
            file=sys.stderr,
        )
    grant = token_store.datasets(args.datasets, published)
    token_id, token = token_store.create(args.tokens_db, args.agency, grant, expires_at)
    print(
        f"token {token_id} for {args.agency.strip()}: datasets {grant}, valid until the end of {args.expires} "
        f"(Vietnam time). It is shown only this once; give it to the agency over a secure channel.",
        file=sys.stderr,
    )
    print(token)
    return 0


def _list(args) -> int:
    now = dt.datetime.now(dt.UTC)
    records = token_store.list_tokens(args.tokens_db)
    rows = [
        [
            str(r["id"]),
            r["agency"],
            r["datasets"],
            r["created_at"],
            r["expires_at"],
            token_store.status(r, now),
            r["last_used_at"] or "never",
        ]
        for r in records
    ]
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows)]
    for row in [list(COLUMNS), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _revoke(args) -> int:
    if token_store.revoke(args.tokens_db, args.id):
        print(f"token {args.id} revoked; it is refused from the next request on")
    else:
        print(f"token {args.id} was already revoked")
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.ops.tokens", description=__doc__)
    parser.add_argument(
        "--tokens-db",
        type=Path,
        default=token_store.default_path(),
        help="default: $PORTAL_TOKENS_DB, else ~/.local/state/open-data-portal/tokens.db",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="issue a token and print it once")
    create.add_argument("--agency", required=True, help='the partner agency, e.g. "Sở Y tế"')
    create.add_argument("--datasets", required=True, help="restricted dataset ids separated by commas, or * for all")
    create.add_argument("--expires", required=True, help="last day the token works, YYYY-MM-DD (Vietnam time)")
    create.add_argument(
        "--build",
        type=Path,
        default=Path("build"),
        help="build directory whose current release names the restricted datasets (default: build)",
    )
    create.set_defaults(run=_create)
    commands.add_parser("list", help="list tokens, never their secrets").set_defaults(run=_list)
    revoke = commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=_revoke)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except token_store.TokenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
