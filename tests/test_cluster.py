"""Two replicas behind nginx under a bounded load on 127.0.0.1: a new release published by the real build is rolled
out one replica at a time, then a replica is killed with SIGKILL while it runs a query, and not one request fails:
the query in flight is sent to the other replica.

Every answer's data is checked against its X-Portal-Release header, so an answer mixing two releases (an old cached
page under the new release, say) fails the test; once the supervisor reports the roll done, only the new release may
answer. Each client sends at most about 6 requests a second, within the portal's per-client limits, so any failure
is the cluster's; half of them open a new connection for each request, half keep theirs alive.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from urllib.parse import unquote

import httpx
import pytest

from scripts import load
from tests.served_cluster import PATHS, cluster, consistent, publish, require_nginx

pytestmark = pytest.mark.slow

CLIENTS = 6
PACE_SECONDS = 0.15
# A query that keeps a replica busy for a while (calibrated to about SLOW_SECONDS), so that it is surely in flight
# when its replica is killed; nginx must then send it to the other replica.
SLOW = (
    "/portal.json?_shape=array&sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c+limit+{rows})+"
    "select+count(*)+as+n+from+c"
)
# A sixth of the portal's SQL time limit (1 s): the query nginx retries on another replica after the kill runs again
# from the start there, and must end within the limit even on a machine slowed several times by other work.
SLOW_SECONDS = 0.15
SLOW_CLIENT = "127.0.0.60"


def _rows_for(seconds: float) -> int:
    """Rows the slow query counts to run about `seconds` in this machine's SQLite."""
    rows, took = 100_000, 0.0
    while took < seconds / 4:
        rows *= 2
        started = time.perf_counter()
        sqlite3.connect(":memory:").execute(unquote(SLOW.partition("sql=")[2].format(rows=rows).replace("+", " ")))
        took = time.perf_counter() - started
    return int(rows * seconds / took)


def _replica_of(address: str, status: dict, access_log: Callable[[], list[str]], timeout: float = 10) -> dict:
    """The replica nginx sends `address` to, from the latest request of that address in the access log.

    nginx writes a request's line once it has sent the answer, so the client may read the answer first: the line is
    waited for."""
    deadline = time.monotonic() + timeout
    while (line := next((line for line in reversed(access_log()) if line.startswith(f"{address} ")), None)) is None:
        assert time.monotonic() < deadline, f"no request from {address} in nginx's access log after {timeout:.0f} s"
        time.sleep(0.05)
    # Every address nginx tried, the one that answered last: a replica's idle second port refuses first.
    port = int(re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=", 1)[1].split(" upstream_status", 1)[0])[-1])
    return next(replica for replica in status["replicas"] if replica["port"] == port)


def test_a_rolling_release_and_a_killed_replica_fail_no_request(data_dir, portal_metadata, tmp_path):
    require_nginx()
    rows = _rows_for(SLOW_SECONDS)
    build = tmp_path / "build"
    publish(data_dir, build, portal_metadata, "0001")
    with cluster(build, replicas=2) as running:
        # Half the clients open a new connection for each request, half keep theirs alive across the rolling releases.
        loads = [
            load.in_background(
                running.base,
                PATHS,
                clients=CLIENTS // 2,
                seconds=50,
                pace=PACE_SECONDS,
                check=consistent,
                keep_alive=keep_alive,
                first_address=first,
            )
            for keep_alive, first in ((False, 41), (True, 41 + CLIENTS // 2))
        ]
        time.sleep(2)
        publish(data_dir, build, portal_metadata, "0002")
        published = time.monotonic()
        rolled = running.wait_for(lambda s: {r["release"] for r in s["replicas"]} == {"0002"}, 40, "roll-out")
        rolled_at = time.monotonic()
        time.sleep(1)
        with httpx.Client(
            base_url=running.base, transport=httpx.HTTPTransport(local_address=SLOW_CLIENT), timeout=30
        ) as slow_client:
            slow_client.get("/-/health")
            victim = _replica_of(SLOW_CLIENT, rolled, running.access_log)
            # Calibrated again through the cluster, at the machine's load of the moment.
            started = time.perf_counter()
            assert slow_client.get(SLOW.format(rows=rows)).status_code == 200
            rows = max(10_000, int(rows * SLOW_SECONDS / (time.perf_counter() - started)))
            slow = []
            thread = threading.Thread(target=lambda: slow.append(slow_client.get(SLOW.format(rows=rows))))
            thread.start()
            time.sleep(SLOW_SECONDS / 5)
            os.kill(victim["pid"], signal.SIGKILL)
            killed_at = time.monotonic()
            thread.join()
        running.wait_for(lambda s: victim["pid"] not in [r["pid"] for r in s["replicas"]], 40, "replacement")
        healed_at = time.monotonic()
        time.sleep(2)
        tallies = [finish() for _, finish in loads]
        tally = load.Tally.side_by_side(tallies)
        log = running.access_log()

    retried = [line for line in log if ", 127.0.0.1:" in line.partition("upstream=")[2]]
    slow_lines = [line for line in log if line.startswith(f"{SLOW_CLIENT} ") and "sql=with" in line]
    print(f"\nrolling release and SIGKILL under load: {tally.summary()}")
    print(
        f"roll-out took {rolled_at - published:.1f} s after the build published; replica {victim['port']} killed, "
        f"replaced after {healed_at - killed_at:.1f} s; {len(retried)} requests nginx retried on another replica, "
        f"among them the query in flight on the killed replica: {slow_lines[-1].partition('upstream=')[2]}"
    )
    for answer in tally.failures[:10]:
        print(f"failed: {answer}")
    assert not tally.failures
    assert slow[0].status_code == 200 and slow[0].headers["x-portal-release"] == "0002"
    # Killed under it, then retried on a live replica (after the idle ports nginx tried first, if any).
    assert f"127.0.0.1:{victim['port']}, 127.0.0.1:" in slow_lines[-1].partition("upstream=")[2]
    assert set(tally.releases) == {"0001", "0002"}
    assert {a.release for a in tally.answers if a.started < published} == {"0001"}
    assert {a.release for a in tally.answers if a.started > rolled_at} == {"0002"}
    assert [a for a in tally.answers if published < a.started < rolled_at], "no request during the roll-out"
    assert [a for a in tally.answers if killed_at < a.started < healed_at], "no request while a replica was dead"
