"""`make serve` moved to a new release under keep-alive load: requests failed and the longest gap in answers.

Two ways `make serve` runs, each from its own command line (scripts/serve/workers.py), in a scratch build directory
whose releases are copies of a real one published as a build publishes (scripts/serve/cluster/rolling.py):

- one process (`NGINX=off`, or no nginx): it keeps the release it started with, so it moves by a restart, SIGTERM
  and start again, as it always did;
- workers behind nginx (the default): the supervisor sees build/current change and moves the replicas one by one.

Clients on keep-alive connections (scripts/load.py), each from its own loopback address, send a page nginx caches,
a query no cache answers and /-/ready, paced within the per-client limits, from 2 s before the move to 2 s after it.
A request fails unless it is a 200 naming its release. The gap is the longest time between two answers in a row,
whoever's: a portal that stops answering for a moment shows it, even when no request fails.

The workers are also measured through `make serve-restart` (a rolling restart on the same release, as after a change
to the code). `python -m scripts.serve.cluster.release_move --repeats 3` prints them all, alternated.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts import load
from scripts.serve import command as serve
from scripts.serve import workers as workers_command
from scripts.serve.cluster import restart, rolling
from scripts.serve.loopback import free_port

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = 4
PACE_SECONDS = 0.15
AROUND_SECONDS = 2.0  # load before the move starts and after it is done
PATHS = ["/portal.json?_shape=array&sql=select+{n}+as+n", "/-/ready", "/"]


@dataclass
class Move:
    how: str
    tally: load.Tally
    moved_seconds: float  # from the switch of build/current (or the restart) until the new release served alone
    gap: float  # the longest time between two answers in a row, in seconds

    @property
    def failed(self) -> int:
        return len(self.tally.failures)

    def summary(self) -> str:
        return (
            f"{self.how}: {len(self.tally.answers)} requests, {self.failed} failed, longest gap in answers "
            f"{self.gap:.2f} s; moved in {self.moved_seconds:.1f} s; releases {dict(self.tally.releases)}"
        )


def longest_gap(answers: Sequence[load.Answer]) -> float:
    """The longest time between two answers in a row (by when each was received); errors are not answers."""
    received = sorted(answer.started + answer.seconds for answer in answers if answer.status is not None)
    return max((later - earlier for earlier, later in itertools.pairwise(received)), default=0.0)


class Served:
    """`make serve`'s command on a free port of 127.0.0.1, for a build directory."""

    def __init__(self, build: Path, workers: int | None, env: dict | None = None, state: Path | None = None):
        self.build, self.workers, self.port = build, workers, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.state = state or build / "cluster"
        self.state.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.log = self.state / f"serve-{self.port}.log"
        self.process = self._start()

    def _start(self) -> subprocess.Popen:
        how = (
            ["--nginx", "off"] if self.workers is None else ["--workers", str(self.workers), "--state", str(self.state)]
        )
        with open(self.log, "ab") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "scripts.serve.workers",
                    "--build",
                    str(self.build),
                    "--port",
                    str(self.port),
                    *how,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        restart.wait_until_answering(f"{self.base}/-/ready", process, timeout=120)
        return process

    def releases(self) -> set[str]:
        """The releases the workers serve (state.json)."""
        try:
            return {r["release"] for r in json.loads((self.state / "state.json").read_text())["replicas"]}
        except (OSError, ValueError, KeyError):
            return set()

    def move(self, release: str, timeout: float = 120) -> None:
        """Serve `release`, just published: one process is restarted; the workers move by themselves."""
        if self.workers is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = self._start()
            return
        deadline = time.monotonic() + timeout
        while self.releases() != {release}:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not move to {release} (see {self.log})")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)


def measure(
    build: Path,
    source: Path,
    workers: int | None,
    clients: int = CLIENTS,
    check: load.Check | None = rolling.consistent,
    publish: Callable[[], str] | None = None,
    env: dict | None = None,
    paths: Sequence[str] = PATHS,
) -> Move:
    """Serve `build`, load it, publish the next release (a copy of `source`, or `publish()`), move, load on."""
    served = Served(build, workers, env)
    try:
        _, finish = load.in_background(
            served.base, paths, clients=clients, seconds=300, pace=PACE_SECONDS, keep_alive=True, check=check
        )
        time.sleep(AROUND_SECONDS)
        switched = time.monotonic()
        release = publish() if publish else rolling.republish(build, source, keep=3)
        served.move(release)
        moved = time.monotonic() - switched
        time.sleep(AROUND_SECONDS)
        tally = finish()
    finally:
        served.stop()
    how = "one process, restarted" if workers is None else f"{workers} workers behind nginx"
    return Move(how, tally, moved, longest_gap(tally.answers))


def rolling_restart(build: Path, timeout: float = 120) -> str:
    """`make serve-restart` (SIGHUP to the supervisor), returning once every worker was replaced; the release."""
    state = build / "cluster" / "state.json"
    before = json.loads(state.read_text(encoding="utf-8"))
    if workers_command.restart(build) != 0:
        raise RuntimeError("make serve-restart found no supervisor")
    deadline = time.monotonic() + timeout
    old = {replica["pid"] for replica in before["replicas"]}
    while old & {replica["pid"] for replica in json.loads(state.read_text(encoding="utf-8"))["replicas"]}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers were not all replaced within {timeout:.0f} s")
        time.sleep(0.05)
    return before["release"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    source = serve.release_dir(args.build)
    results: dict[str, list[Move]] = {}
    for repeat in range(args.repeats):
        for workers in (None, args.workers):  # alternated, so that the machine's other work hits both alike
            scratch = args.build.resolve() / "release-move"
            rolling.prepare(source, scratch, keep=3)
            move = measure(scratch, source, workers)
            results.setdefault(move.how, []).append(move)
            print(f"run {repeat + 1}, {move.summary()}", flush=True)
        rolling.prepare(source, scratch, keep=3)
        move = measure(scratch, source, args.workers, publish=lambda: rolling_restart(scratch))
        move.how += ", make serve-restart"
        results.setdefault(move.how, []).append(move)
        print(f"run {repeat + 1}, {move.summary()}", flush=True)
    for how, moves in results.items():
        print(
            f"{how}: {sum(m.failed for m in moves)} failed of {sum(len(m.tally.answers) for m in moves)}; longest "
            f"gap median {statistics.median(m.gap for m in moves):.2f} s, worst {max(m.gap for m in moves):.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
