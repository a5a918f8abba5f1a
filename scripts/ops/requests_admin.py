"""Admin commands for the public's requests (/yeu-cau): list them, open ones first; answer one, which closes it and
publishes the request and its answer (never the name or e-mail given) on the portal's Requests page."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import textwrap
from pathlib import Path

from plugins.portal_site import requests_store as store

COLUMNS = ("id", "status", "kind", "dataset", "sent (UTC)", "name", "e-mail")


def _one_line(text: str | None, width: int) -> str:
    return textwrap.shorten(" ".join((text or "").split()), width, placeholder="…") if text else ""


def _list(args) -> int:
    records = store.all_requests(args.requests_db)
    if not records:
        print(f"no requests yet ({args.requests_db})")
        return 0
    rows = [
        [
            str(r["id"]),
            r["status"],
            r["kind"],
            r["dataset"] or "-",
            r["created_at"],
            r["name"] or "-",
            r["email"] or "-",
        ]
        for r in records
    ]
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows)]
    for header_or_row, record in zip([list(COLUMNS), *rows], [None, *records]):
        print("  ".join(cell.ljust(width) for cell, width in zip(header_or_row, widths)).rstrip())
        if record:
            print(f"    asked: {_one_line(record['message'], 100)}")
            if record["answer"]:
                print(f"    answered {record['answered_at']}: {_one_line(record['answer'], 100)}")
    waiting = sum(r["status"] == store.OPEN for r in records)
    print(f"{waiting} waiting for an answer, {len(records) - waiting} answered")
    return 0


def _request_id(text: str) -> int:
    if not text.strip().isdigit():
        raise store.RequestError(f"ID must be a request's number, as `make requests` lists it (got {text!r})")
    return int(text)


def _answer(args) -> int:
    record = store.answer(args.requests_db, _request_id(args.id), args.answer)
    print(f"request {record['id']} answered and closed; it is shown on /yeu-cau without the name or e-mail given")
    if record["email"]:
        print(f"the person asked for an answer by e-mail: {record['email']}")
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.ops.requests_admin", description=__doc__)
    parser.add_argument(
        "--requests-db",
        type=Path,
        default=store.default_path(),
        help=f"default: ${store.PATH_VARIABLE}, else var/requests.db in the repository",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list requests, open ones first").set_defaults(run=_list)
    answer = commands.add_parser("answer", help="answer a request and close it")
    answer.add_argument("id", help="the request's number")
    answer.add_argument("answer", help="the answer, published with the request")
    answer.set_defaults(run=_answer)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except store.RequestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        print(f"error: {args.requests_db}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
