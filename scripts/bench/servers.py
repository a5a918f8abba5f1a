"""The two servers the benchmark compares, as real processes on free loopback ports.

The portal is started with `scripts.serve.command`, the command line `make serve` runs; its restricted tier reads
tokens from a tokens database of the benchmark's own, where each simulated client gets a token. The baseline is
`datasette serve` with nothing but the naive database: default settings, no metadata, no plugins of ours.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import loopback, serve, token_store

START_SECONDS = 60  # a mutable database of a million rows is opened and counted at start



@contextmanager
def serving(command: list[str], port: int, log: Path, probe: str = "/-/settings.json") -> Iterator[str]:
    """Start `command`, wait until `probe` answers, yield the base URL, then stop the server."""
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=output)
        try:
            try:
                loopback.wait_until_answering(base + probe, process, START_SECONDS)
            except RuntimeError as error:
                raise RuntimeError(f"{error}; see {log}") from None
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def client_tokens(tokens_db: Path, clients: int) -> list[str]:
    """One partner-agency token per simulated client, opening every restricted dataset, issued as admins do."""
    expires = token_store.expiry((dt.date.today() + dt.timedelta(days=30)).isoformat(), dt.date.today())
    return [token_store.create(tokens_db, f"Benchmark client {n + 1}", token_store.ALL_DATASETS, expires)[1]
            for n in range(clients)]


def portal_command(release: Path, port: int, tokens_db: Path) -> list[str]:
    return serve.command(release, "127.0.0.1", port, tokens_db)


def baseline_command(naive_db: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", str(naive_db), "--host", "127.0.0.1", "--port", str(port)]
