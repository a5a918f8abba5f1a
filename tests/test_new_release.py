"""A portal served by `make serve`'s command while the real build publishes a new release keeps answering, without an
error and only from its own release; restarted, it answers only from the new one. Prints how long the restart left
it unavailable (docs/operations.md, "Moving to a new release").
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from scripts import load
from scripts.serve.cluster import restart
from scripts.serve.loopback import free_port
from tests.conftest import REPO
from tests.served_cluster import PATHS, consistent, publish

pytestmark = pytest.mark.slow


def test_a_running_portal_keeps_its_release_through_a_build_and_moves_when_restarted(
    data_dir, portal_metadata, tmp_path
):
    build, port = tmp_path / "build", free_port()
    base = f"http://127.0.0.1:{port}"
    publish(data_dir, build, portal_metadata, "0001")

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "scripts.serve.command", "--build", str(build), "--port", str(port)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    process = start()
    try:
        restart.wait_until_answering(f"{base}/-/ready", process)
        _, finish = load.in_background(base, PATHS, clients=3, seconds=60, pace=0.1, check=consistent)
        time.sleep(1)
        publish(data_dir, build, portal_metadata, "0002")
        time.sleep(1)
        during = finish()
        with restart.Poller(f"{base}/-/ready") as poller:
            process = restart.restart(process, start)
            restart.wait_until_answering(f"{base}/-/ready", process)
            time.sleep(0.1)
        after = load.run_now(base, PATHS, clients=3, seconds=2, pace=0.1, check=consistent)
    finally:
        process.terminate()
        process.wait(timeout=30)
    outage = poller.outage()
    print(f"\nwhile the build published 0002: {during.summary()}")
    print(f"restart: unavailable {outage.seconds:.2f} s ({outage.refused} polls refused); after: {after.summary()}")
    assert not during.failures and set(during.releases) == {"0001"}
    assert not after.failures and set(after.releases) == {"0002"}
    assert outage.seconds > 0  # how long is for `make bench-cluster` to report, not for a test to judge
