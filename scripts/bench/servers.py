"""The two servers the benchmark compares, as real processes on free loopback ports.

Both are run by `scripts.serve.loopback.serving`. The portal is started with `scripts.serve.command`, the command line
`make serve` runs; its restricted tier reads tokens from a tokens database of the benchmark's own, where each
simulated client gets a token. The baseline is `datasette serve` with nothing but the naive database: default
settings, no metadata, no plugins (scripts/bench/plain_datasette.py: the portal's are installed in the same
environment and Datasette would load them).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from scripts.serve import command as serve
from scripts.serve import token_store

START_SECONDS = 60  # a mutable database of a million rows is opened and counted at start


def client_tokens(tokens_db: Path, clients: int) -> list[str]:
    """One partner-agency token per simulated client, opening every restricted dataset, issued as admins do."""
    expires = token_store.expiry((dt.date.today() + dt.timedelta(days=30)).isoformat(), dt.date.today())
    return [
        token_store.create(tokens_db, f"Benchmark client {n + 1}", token_store.ALL_DATASETS, expires)[1]
        for n in range(clients)
    ]


def portal_command(release: Path, port: int, tokens_db: Path) -> list[str]:
    return serve.command(release, "127.0.0.1", port, tokens_db)


def baseline_command(naive_db: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scripts.bench.plain_datasette",
        "serve",
        str(naive_db),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
