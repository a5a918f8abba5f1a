"""`make serve` on every core (scripts/serve/workers.py): how many workers and why, one process without nginx, one
client's rate budget that is not multiplied by the workers, and a move to a new release under keep-alive load that
fails no request. The served tests run `make serve`'s own command on loopback, from the real build's releases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from plugins.rate_limit import DEFAULTS
from scripts.serve import workers
from scripts.serve.cluster import release_move, restart
from scripts.serve.loopback import free_port
from tests.conftest import MANIFEST, REPO, SPEC, write
from tests.served_cluster import PATHS, consistent, publish, require_nginx


@pytest.mark.parametrize(
    "value, cores, expected",
    [(None, 2, 2), ("", 8, 8), (None, None, 1), ("3", 2, 3), (" 1 ", 16, 1), (str(workers.MAX_WORKERS), 2, 64)],
)
def test_one_worker_per_core_unless_workers_says_otherwise(value, cores, expected):
    assert workers.worker_count(value, cores) == expected


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", str(workers.MAX_WORKERS + 1)])
def test_a_bad_worker_count_is_refused_in_one_line_naming_what_is_allowed(value):
    with pytest.raises(SystemExit) as refused:
        workers.worker_count(value, 2)
    assert str(refused.value).startswith(f"WORKERS={value!r}: give a whole number of workers from 1 to 64")


def test_make_passes_workers_and_nginx_to_the_command():
    dry = subprocess.run(
        ["make", "-n", "serve", "WORKERS=3", "NGINX=off", "PORT=8123"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-m scripts.serve.workers --port 8123 --workers '3' --nginx 'off'" in dry


def test_with_nginx_the_workers_are_replicas_behind_it_and_without_one_process_says_so(tmp_path):
    cluster = workers.plan(tmp_path, "127.0.0.1", 8123, 3, Path("/usr/sbin/nginx"))
    assert cluster.workers == 3 and cluster.argv[1:3] == ["-m", "scripts.serve.cluster.supervisor"]
    assert cluster.argv[cluster.argv.index("--replicas") + 1] == "3"
    alone = workers.plan(tmp_path, "127.0.0.1", 8123, 3, None)
    assert alone.workers == 1 and alone.argv[1:3] == ["-m", "scripts.serve.command"]
    assert alone.line.startswith(
        "make serve: ONE process on one core at http://127.0.0.1:8123/ (nginx is not "
        "installed or NGINX=off): not the 3 workers asked for"
    )
    assert "sudo make cluster-setup" in alone.line


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workers")
    write(root / "data" / "manifest.yml", MANIFEST)
    write(root / "data" / "specs" / "tasks.yml", SPEC)
    metadata = write(root / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
    publish(root / "data", root / "build", metadata, "0001")
    return root / "build"


def _serve(build: Path, *options: str, env: dict | None = None) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = build / f"serve-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts.serve.workers", "--build", str(build), "--port", str(port), *options],
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    restart.wait_until_answering(f"{base}/-/ready", process, timeout=120)
    return process, base, log


@pytest.mark.slow
def test_without_nginx_make_serve_is_one_datasette_process_and_says_so(build):
    process, base, log = _serve(build, "--nginx", "off")
    try:
        assert httpx.get(f"{base}/-/ready").json()["release"] == "0001"
        # `make serve` became the server itself (exec): one process, Datasette's, and no cluster.
        assert b"scripts.serve.datasette_server" in Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert not (build / "cluster" / "state.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert log.read_text().startswith("make serve: ONE process on one core at ")


@pytest.fixture(scope="module")
def two_workers(build):
    """`make serve WORKERS=2` (through the environment, as `make` passes it on) with nginx."""
    require_nginx()
    process, base, log = _serve(build, env=dict(os.environ, **{workers.ENV: "2"}))
    state = build / "cluster"
    try:
        deadline = time.monotonic() + 10
        while not (state / "state.json").exists():  # written just after nginx listens
            assert time.monotonic() < deadline, "the supervisor wrote no state.json"
            time.sleep(0.05)
        yield base, state, log
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.mark.slow
def test_make_serve_runs_the_workers_it_was_asked_for_behind_nginx(two_workers):
    base, state, log = two_workers
    status = json.loads((state / "state.json").read_text())
    assert len(status["replicas"]) == 2 and len({replica["pid"] for replica in status["replicas"]}) == 2
    assert log.read_text().startswith("make serve: 2 workers (Datasette replicas) behind nginx at ")
    for replica in status["replicas"]:  # each worker is a live Datasette of the release
        assert httpx.get(f"http://127.0.0.1:{replica['port']}/-/ready").json()["release"] == "0001"
    assert httpx.get(f"{base}/-/ready").json()["release"] == "0001"


@pytest.mark.slow
def test_one_client_gets_one_workers_budget_not_one_per_worker(two_workers):
    base = two_workers[0]
    rate, burst = DEFAULTS["rate"], DEFAULTS["burst"]
    uncached = "/portal.json?_shape=array&sql=select+{n}+as+n"
    transport = httpx.HTTPTransport(local_address="127.0.0.71")
    with httpx.Client(base_url=base, transport=transport, timeout=30) as flooder:
        started = time.monotonic()
        statuses = [flooder.get(uncached.format(n=n)).status_code for n in range(3 * burst)]
        elapsed = time.monotonic() - started
    with httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address="127.0.0.72"), timeout=30) as other:
        assert other.get(uncached.format(n=-1)).status_code == 200  # another client keeps its own budget
    print(
        f"\none client, {len(statuses)} requests in {elapsed:.1f} s to 2 workers: {statuses.count(200)} answered "
        f"200, {statuses.count(429)} answered 429"
    )
    assert set(statuses) == {200, 429}
    # One budget lets burst through and what the rate refills meanwhile; two would have let twice that.
    assert statuses.count(200) <= burst + rate * elapsed + 1


@pytest.mark.slow
def test_a_new_release_under_keep_alive_load_fails_no_request(data_dir, portal_metadata, tmp_path):
    require_nginx()
    build = tmp_path / "build"
    publish(data_dir, build, portal_metadata, "0001")

    def next_release() -> str:
        publish(data_dir, build, portal_metadata, "0002")
        return "0002"

    move = release_move.measure(build, build, workers=2, clients=4, check=consistent, publish=next_release, paths=PATHS)
    print(f"\n{move.summary()}")
    for answer in move.tally.failures[:10]:
        print(f"failed: {answer}")
    assert not move.tally.failures
    assert set(move.tally.releases) == {"0001", "0002"}
    assert move.gap < 2.0  # a restarted single process leaves none for about a second, and fails requests
