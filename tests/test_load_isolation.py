"""One client running heavy SQL or flooding requests does not slow other clients down much, and nothing answers 5xx.

A real server (`serve.command`, default limits) on 127.0.0.1 serves a tiny build. Ordinary clients, each from its
own loopback address (127.0.0.11-14), fetch table pages at a human pace while their response times are recorded.
Windows alternate: nobody else, an abusive client (tests/abusive_client.py, from 127.0.0.66) running SQL that only
the time limit stops, nobody else, another flooding (from 127.0.0.67). Alternating cancels out changes in what else
the machine is doing; the p95 of each condition is taken over all its windows. Every loop is bounded in requests and
in time, and the abusive clients start with full buckets: the figures are those of the first seconds of an abuse,
the worst ones.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ORDINARY_CLIENTS = [f"127.0.0.{n}" for n in range(11, 15)]
ORDINARY_PATHS = ["/portal/tasks", "/portal/tasks.json?_shape=array", "/portal/tasks?unit=Công+an+tỉnh"]
ABUSER = Path(__file__).with_name("abusive_client.py")
MODES = ("heavy-sql", "flood")
WINDOW_SECONDS = 2
ROUNDS = 4
PACE_SECONDS = 0.1
MAX_REQUESTS = 100  # per client and window, whatever the pace


async def _client(base: str, address: str, seconds: float):
    """Fetch the ordinary pages in turn from `address` for `seconds`; returns (latencies in ms, counts by status)."""
    import httpx

    latencies, statuses = [], {}
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, transport=httpx.AsyncHTTPTransport(local_address=address),
                                 timeout=30) as client:
        for n in range(MAX_REQUESTS):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            response = await client.get(ORDINARY_PATHS[n % len(ORDINARY_PATHS)])
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            await asyncio.sleep(PACE_SECONDS)
    return latencies, statuses


def _add(total: dict, counts: dict) -> None:
    for status, count in counts.items():
        total[int(status)] = total.get(int(status), 0) + count


def _ordinary(base: str, seconds: float, latencies: list, statuses: dict) -> None:
    """One window of the ordinary clients; their response times and statuses are added to the totals."""
    async def clients():
        return await asyncio.gather(*(_client(base, address, seconds) for address in ORDINARY_CLIENTS))

    for window, counts in asyncio.run(clients()):
        latencies += window
        _add(statuses, counts)


@pytest.fixture
def server(data_dir, portal_metadata, tmp_path):
    from scripts import serve
    from tests.served import serving
    from scripts.build import build

    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    with serving(lambda port: serve.command(release, port=port)) as base:
        yield base


def _start_abuse(base: str, mode: str) -> subprocess.Popen:
    abuser = subprocess.Popen([sys.executable, str(ABUSER), base, mode, str(WINDOW_SECONDS + 0.5)],
                              stdout=subprocess.PIPE, text=True)
    assert abuser.stdout.readline().strip() == "ready"
    return abuser


@pytest.mark.slow
def test_an_abusive_client_does_not_double_the_p95_of_others_and_nothing_answers_5xx(server):
    _ordinary(server, 1.5, [], {})  # warm-up: templates, connections, SQLite's page cache
    latencies = {"alone": [], "heavy-sql": [], "flood": []}
    ordinary = {condition: {} for condition in latencies}
    abusive = {mode: {} for mode in MODES}
    for _ in range(ROUNDS):
        for mode in MODES:
            _ordinary(server, WINDOW_SECONDS, latencies["alone"], ordinary["alone"])
            abuser = _start_abuse(server, mode)
            _ordinary(server, WINDOW_SECONDS, latencies[mode], ordinary[mode])
            _add(abusive[mode], json.loads(abuser.communicate(timeout=60)[0]))
    p95 = {condition: statistics.quantiles(values, n=20)[-1] for condition, values in latencies.items()}
    p50 = {condition: statistics.median(values) for condition, values in latencies.items()}
    print("\nordinary pages, ms: " + "; ".join(f"{c} p50 {p50[c]:.1f} p95 {p95[c]:.1f}" for c in latencies))
    print(f"ordinary clients' statuses: {ordinary}")
    print(f"abusive client's statuses: {abusive}")
    for counts in [*ordinary.values(), *abusive.values()]:
        assert not [status for status in counts if status >= 500], counts
    for condition, counts in ordinary.items():
        assert set(counts) == {200}, (condition, counts)
    for mode in MODES:
        assert p95[mode] <= 2 * p95["alone"], p95
    assert abusive["flood"].get(429), "the flood was never limited"

