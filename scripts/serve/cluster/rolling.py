"""`make bench-cluster`'s rolling releases: the cluster moved to a new release again and again, and one replica
killed, under keep-alive load from several clients; every request must be answered.

The releases are published in a scratch build directory, never in build/: a copy of the measured release published
as a build publishes (scripts/build/publish/release.py: sealed, renamed in, `current` switched, build/current.log
appended to), then `make rollback`'s switch back to the release before, and so on, one after the other. Each switch
waits until the supervisor reports every replica on the new release (state.json). Halfway, a replica is killed with
SIGKILL and the next switch waits until it is replaced.

The clients are anonymous, as most visitors are, so nginx's cache is in the path; each sends at most about 6
requests a second (within the portal's per-client limits, so a 429 is a failure too), most of them on a connection
kept alive across all the releases. Every answer must be a 200 naming its release (X-Portal-Release); /-/ready must
name the same release in its body; between a roll-out reported done and the next switch, only that release may
answer (from a replica or from the cache).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts import load
from scripts.build.publish import release as releases
from scripts.serve.cluster import restart
from scripts.serve.loopback import free_port

ROOT = Path(__file__).resolve().parents[3]
ROLLS = 20
PACE_SECONDS = 0.15
SETTLE_SECONDS = 1.0  # load on one release alone between a roll-out reported done and the next switch
ROLL_TIMEOUT = 120.0
# Besides the visitor's mix: readiness, whose body names the release, and a query no cache can answer ({n} is new
# every time), so that some requests always reach a replica.
EXTRA_PATHS = ["/-/ready", "/portal.json?_shape=array&sql=select+{n}+as+n,+count(*)+as+communes+from+communes"]


@dataclass
class Roll:
    release: str
    switched: float  # time.monotonic() when build/current was switched
    done: float  # when state.json showed every replica on the release


@dataclass
class Rolling:
    rolls: list[Roll]
    tally: load.Tally
    stale: list[load.Answer]  # answers of another release between a roll-out done and the next switch
    killed_replaced_seconds: float
    retried: int  # requests nginx sent to a second replica (access log)
    answered_5xx: int  # answers 5xx in nginx's access log, retried or not
    clients: int
    keep_alive_clients: int
    state: Path
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[load.Answer]:
        return self.tally.failures

    @property
    def roll_seconds(self) -> list[float]:
        return [roll.done - roll.switched for roll in self.rolls]


def consistent(path: str, release: str | None, response) -> str | None:
    """What is wrong with a 200: /-/ready names another release in its body than in its header."""
    if path == "/-/ready":
        said = response.json().get("release")
        return None if said == release else f"/-/ready says {said}, header {release}"
    return None


def _copy(source: Path, build: Path) -> Path:
    """A staging directory holding the files of `source` (taken inside the build lock, as a build does)."""
    staging = releases.new_staging_dir(build)
    shutil.copytree(source, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("SHA256SUMS"))
    return staging


def republish(build: Path, source: Path, keep: int) -> str:
    """Publish a copy of `source` as the next release, as `make build` publishes; its name."""
    with releases.exclusive(build):
        staging = _copy(source, build)
        try:
            return releases.publish(staging, build, keep=keep).name
        except BaseException:
            releases.discard(staging)
            raise


def prepare(source: Path, build: Path, keep: int) -> str:
    """A scratch build directory whose current release is a copy of `source`."""
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    return republish(build, source, keep)


class _Supervisor:
    def __init__(self, build: Path, state: Path, replicas: int, env: dict):
        self.state, self.port = state, free_port()
        state.mkdir(parents=True, exist_ok=True)
        self.output = open(state / "supervisor.log", "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scripts.serve.cluster.supervisor",
                "--build",
                str(build),
                "--state",
                str(state),
                "--port",
                str(self.port),
                "--replicas",
                str(replicas),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def status(self) -> dict:
        return json.loads((self.state / "state.json").read_text(encoding="utf-8"))

    def wait_for(self, condition, what: str, timeout: float = ROLL_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the supervisor stopped (see {self.state / 'supervisor.log'})")
            try:
                status = self.status()
            except (OSError, ValueError):
                status = None
            if status and condition(status):
                return status
            time.sleep(0.05)
        raise RuntimeError(f"{what}: not within {timeout:.0f} s (see {self.state / 'supervisor.log'})")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        self.output.close()


def measure(
    source: Path,
    work: Path,
    mix: list[str],
    replicas: int = 2,
    rolls: int = ROLLS,
    clients: int = 8,
    keep_alive_clients: int = 6,
    env: dict | None = None,
) -> Rolling:
    """`rolls` roll-outs and a killed replica under load; the cluster's files stay in `work` for reading after."""
    build, state = work / "build", work / "cluster"
    shutil.rmtree(state, ignore_errors=True)
    keep = rolls + 2  # the release rolled back to is the first one: it must outlive the releases published since
    first = prepare(source, build, keep)
    supervisor = _Supervisor(build, state, replicas, dict(env or os.environ))
    done: list[Roll] = []
    try:
        restart.wait_until_answering(f"{supervisor.base}/-/ready", supervisor.process, timeout=120)
        paths = [*EXTRA_PATHS, *mix]
        runs = [
            load.in_background(
                supervisor.base,
                paths,
                clients=count,
                seconds=3600,
                pace=PACE_SECONDS,
                check=consistent,
                keep_alive=keep_alive,
                first_address=address,
            )
            for count, keep_alive, address in (
                (keep_alive_clients, True, load.FIRST_ADDRESS),
                (clients - keep_alive_clients, False, load.FIRST_ADDRESS + keep_alive_clients),
            )
            if count
        ]
        time.sleep(2)
        replaced = 0.0
        for number in range(rolls):
            if number == rolls // 2:
                replaced = _kill_one(supervisor)
            switched = time.monotonic()
            name = republish(build, source, keep) if number % 2 == 0 else releases.rollback(build).name
            supervisor.wait_for(
                lambda s, name=name: {r["release"] for r in s["replicas"]} == {name} and len(s["replicas"]) == replicas,
                f"roll-out of release {name}",
            )
            done.append(Roll(name, switched, time.monotonic()))
            print(f"release {name}: every replica on it {done[-1].done - switched:.1f} s after the switch", flush=True)
            time.sleep(SETTLE_SECONDS)
        tallies = [finish() for _, finish in runs]
    finally:
        supervisor.stop()
    tally = load.Tally.side_by_side(tallies)
    log = (state / "logs" / "access.log").read_text(encoding="utf-8", errors="replace").splitlines()
    return Rolling(
        rolls=done,
        tally=tally,
        stale=_stale(tally, first, done),
        killed_replaced_seconds=replaced,
        retried=sum(", " in line.partition("upstream=")[2].partition(" upstream_status")[0] for line in log),
        answered_5xx=sum(line.split('" ', 1)[1][:1] == "5" for line in log if '" ' in line),
        clients=clients,
        keep_alive_clients=keep_alive_clients,
        state=state,
    )


def _kill_one(supervisor: _Supervisor) -> float:
    """SIGKILL the first replica; seconds until the supervisor reports its replacement ready."""
    victim = supervisor.status()["replicas"][0]["pid"]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    supervisor.wait_for(lambda s: victim not in [r["pid"] for r in s["replicas"]], "replacement of a killed replica")
    seconds = time.monotonic() - killed
    print(f"replica {victim} killed: replaced after {seconds:.1f} s", flush=True)
    return seconds


def _stale(tally: load.Tally, first: str, rolls: list[Roll]) -> list[load.Answer]:
    """Answers of another release than the one every replica served, sent between a roll-out and the next switch."""
    windows = [(float("-inf"), rolls[0].switched if rolls else float("inf"), first)]
    windows += [(roll.done, after.switched, roll.release) for roll, after in itertools.pairwise(rolls)]
    if rolls:
        windows.append((rolls[-1].done, float("inf"), rolls[-1].release))
    return [
        answer
        for answer in tally.answers
        if answer.release
        for start, end, release in windows
        if start < answer.started and answer.started + answer.seconds < end and answer.release != release
    ]


def summary(rolling: Rolling) -> str:
    seconds = rolling.roll_seconds
    return (
        f"{len(rolling.rolls)} roll-outs ({statistics.median(seconds):.1f} s median, {max(seconds):.1f} s "
        f"longest) and a killed replica (replaced in {rolling.killed_replaced_seconds:.1f} s): "
        f"{rolling.tally.summary()}; {len(rolling.stale)} answers of a release not current; nginx retried "
        f"{rolling.retried}, answered 5xx {rolling.answered_5xx}"
    )
