"""Load isolation: one client running heavy SQL or flooding requests, against ordinary clients' response times.

Ordinary clients (scripts/load.py), each from its own loopback address (127.0.0.11-14), fetch ordinary pages at a
human pace while their response times are recorded. Windows alternate: nobody else, an abusive client (`abuse`, from
127.0.0.66) running SQL that only the time limit stops, nobody else, another flooding (from 127.0.0.67). Alternating
cancels out changes in what else the machine is doing; the p95 of each condition is taken over all its windows. Every
loop is bounded in requests and in time, and the abusive clients start with full buckets: the figures are those of the
first seconds of an abuse, the worst ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

from scripts import load
from scripts.bench.mix import column_values, tables
from scripts.bench.stats import summary

ROOT = Path(__file__).resolve().parents[2]
FIRST_ADDRESS, ORDINARY_CLIENTS = 11, 4  # 127.0.0.11-14
MODES = ("heavy-sql", "flood")
PACE_SECONDS = 0.1
MAX_REQUESTS = 100  # per client and window, whatever the pace


def ordinary_paths(release: Path) -> list[str]:
    """The first public dataset's page, its JSON and a filtered page: what most visitors ask for."""
    table = next(table for table in tables(release, largest_first=False) if table.database == "portal" and table.facets)
    facet = table.facets[0]
    value = str(column_values(release, table, facet)[0][0])
    return [
        f"/portal/{table.name}",
        f"/portal/{table.name}.json?_shape=array",
        f"/portal/{table.name}?{urllib.parse.urlencode({facet: value})}",
    ]


def add(total: dict, counts: dict) -> dict:
    for status, count in counts.items():
        total[int(status)] = total.get(int(status), 0) + count
    return total


def ordinary_window(base: str, paths: list[str], seconds: float) -> tuple[list[float], dict]:
    """One window of the ordinary clients together, each fetching the pages in turn at a human pace: all their
    latencies in ms and their statuses."""
    tally = load.run_now(
        base,
        paths,
        clients=ORDINARY_CLIENTS,
        seconds=seconds,
        pace=PACE_SECONDS,
        max_requests=MAX_REQUESTS,
        first_address=FIRST_ADDRESS,
    )
    if lost := [answer for answer in tally.answers if answer.status is None]:
        raise RuntimeError(f"{len(lost)} requests of the ordinary clients got no answer, first: {lost[0].problem}")
    return [answer.seconds * 1000 for answer in tally.answers], dict(tally.statuses)


def start_abuse(base: str, mode: str, seconds: float, flood_path: str, address: str | None = None) -> subprocess.Popen:
    """The abusive client of `mode`, from its own address or from `address`."""
    abuser = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.bench.abuse",
            base,
            mode,
            str(seconds),
            flood_path,
            *([address] if address else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    if abuser.stdout.readline().strip() != "ready":
        abuser.kill()
        raise RuntimeError(f"the {mode} client did not start")
    return abuser


def finish_abuse(abuser: subprocess.Popen) -> dict:
    """The abusive client's statuses, the headers of its first 429 and the first body of each other status."""
    return json.loads(abuser.communicate(timeout=60)[0])


def measure_isolation(base: str, paths: list[str], rounds: int, window_seconds: float) -> dict:
    """Ordinary clients' p50/p95/max alone and beside each abuse; every status either side got."""
    ordinary_window(base, paths, min(1.5, window_seconds))  # warm-up: templates, connections, page cache
    latencies = {"alone": [], **{mode: [] for mode in MODES}}
    ordinary = {condition: {} for condition in latencies}
    abusive = {mode: {} for mode in MODES}
    for _ in range(rounds):
        for mode in MODES:
            window, counts = ordinary_window(base, paths, window_seconds)
            latencies["alone"] += window
            add(ordinary["alone"], counts)
            abuser = start_abuse(base, mode, window_seconds + 0.5, paths[1])
            window, counts = ordinary_window(base, paths, window_seconds)
            latencies[mode] += window
            add(ordinary[mode], counts)
            add(abusive[mode], finish_abuse(abuser)["statuses"])
    server_errors = sum(
        count for counts in [*ordinary.values(), *abusive.values()] for status, count in counts.items() if status >= 500
    )
    return {
        "paths": paths,
        "rounds": rounds,
        "window_seconds": window_seconds,
        "conditions": {
            condition: {**summary(values), "requests": len(values)} for condition, values in latencies.items()
        },
        "ordinary_statuses": ordinary,
        "abusive_statuses": abusive,
        "server_errors": server_errors,
    }
