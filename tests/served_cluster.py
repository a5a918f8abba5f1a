"""Releases of a tiny dataset published by the real build, served by `make serve-cluster`'s supervisor on loopback.

Each release names task 003 differently (MARKERS), so an answer shows which release's data it holds; its
X-Portal-Release header says which release answered. `consistent` compares the two.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.serve.cluster.setup import SYSTEM_PATHS
from scripts.serve.loopback import free_port
from tests.conftest import CSV, REPO, require_tool

MARKERS = {"0001": "Nhiem vu ban mot", "0002": "Nhiem vu ban hai", "0003": "Nhiem vu ban ba"}
# A page and JSON that nginx caches, one query no cache can answer ({n} is new every time), and readiness.
PATHS = [
    "/portal/tasks.json?_shape=array",
    "/portal.json?_shape=array&sql=select+name+from+tasks+where+{n}+%3E%3D+0",
    "/-/ready",
    "/portal/tasks",
]


def require_nginx() -> Path:
    """nginx's binary. Tests install nothing: missing, the test is skipped, or fails under CI (.ci/run installs it)."""
    return require_tool(
        "nginx", "apt-get install -y nginx (Debian's package, as root; `sudo make cluster-setup`)", SYSTEM_PATHS
    )


def publish(data: Path, build: Path, metadata: Path, release: str) -> None:
    """Publish `release` with the real build (`make build`'s command), its marker in the data."""
    (data / "raw").mkdir(parents=True, exist_ok=True)
    marked = CSV.replace("Dịch vụ công trực tuyến", MARKERS[release])
    (data / "raw" / "tasks.csv").write_text(marked, encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.build.pipeline",
            "--data",
            str(data),
            "--build",
            str(build),
            "--metadata",
            str(metadata),
        ],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    assert (build / "current").resolve().name == release


def consistent(path: str, release: str | None, response) -> str | None:
    """What is wrong with an answer whose data is not all of the release its header names, or None."""
    if release not in MARKERS:
        return f"unknown release {release!r}"
    if path == "/-/ready":
        said = response.json().get("release")
        return None if said == release else f"/-/ready says {said}, header {release}"
    others = [name for other, name in MARKERS.items() if other != release and name in response.text]
    if MARKERS[release] not in response.text or others:
        return f"{path}: header {release}, data of {others or 'no release'}"
    return None


@dataclass
class RunningCluster:
    base: str
    state: Path
    process: subprocess.Popen

    def status(self) -> dict:
        return json.loads((self.state / "state.json").read_text(encoding="utf-8"))

    def wait_for(self, condition: Callable[[dict], bool], timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if condition(status):
                return status
            assert self.process.poll() is None, "the supervisor stopped"
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {timeout:.0f} s; supervisor state {self.status()}")

    def access_log(self) -> list[str]:
        return (self.state / "logs" / "access.log").read_text(encoding="utf-8").splitlines()


def _processes_left(status: dict) -> list[int]:
    pids = [status["nginx"]] + [replica["pid"] for replica in status["replicas"]]
    left = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            left.append(pid)
        except ProcessLookupError:
            pass
    return left


@contextmanager
def cluster(build: Path, replicas: int = 2, start_seconds: float = 60) -> Iterator[RunningCluster]:
    """`make serve-cluster` on a free port for the build directory; stopped, with every process it started, after."""
    port, state = free_port(), build / "cluster"
    state.mkdir(parents=True, exist_ok=True)
    output = open(state / "supervisor.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.serve.cluster.supervisor",
            "--build",
            str(build),
            "--port",
            str(port),
            "--replicas",
            str(replicas),
            "--poll",
            "0.2",
        ],
        cwd=REPO,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    running = RunningCluster(f"http://127.0.0.1:{port}", state, process)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(running.base + "/-/ready", timeout=2).close()
                break
            except OSError:
                assert process.poll() is None, (state / "supervisor.log").read_text()
                assert time.monotonic() < deadline, "the cluster did not start"
                time.sleep(0.2)
        yield running
    finally:
        last = running.status() if (state / "state.json").exists() else None
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        output.close()
        if last:
            # Replaced replicas' pids are not in the last state; they were stopped when they were replaced.
            assert not _processes_left(last), "the supervisor left processes behind"
