"""`make serve-cluster`: N Datasette replicas of the current release behind nginx, moved to each new release one by
one without a failed request, and a replica that dies replaced.

nginx is never reloaded while the cluster runs: a reload's old workers close their idle keep-alive connections at
once, and a client sending its next request on one at that moment gets no answer. So every replica has two fixed
ports, both in nginx's configuration from the start, and uses them in turn. Moving a replica: start its
replacement on its free port, wait until /-/ready answers for the new release, give nginx a moment to stop passing
over that port, then stop the old replica, which finishes the requests it holds (uvicorn's graceful stop); nginx
sends what reaches the port it left, or a replica that died, to another port (its retries). nginx's cache is keyed
to the release the replicas report (deploy/nginx/portal.conf.template), so it too follows without a reload.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

from scripts.serve import command as serve
from scripts.serve import loopback
from scripts.serve.cluster import nginx, replica
from scripts.serve.cluster.setup import find_nginx

ROOT = Path(__file__).resolve().parents[3]
STATE_FILE = "state.json"


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


class Cluster:
    """The replicas, the nginx in front of them and the release nginx caches for."""

    def __init__(self, build: Path, state: Path, host: str, port: int, size: int, binary: Path):
        self.build, self.state, self.host, self.port, self.size = build, state, host, port, size
        self.nginx = nginx.Nginx(binary, state)
        self.replicas: list[replica.Replica] = []
        self.release: Path | None = None  # the newest release any replica serves
        # Counts rolling restarts on the same release (SIGHUP, after a change to the code): the replicas name it in
        # a header that is part of nginx's cache key, so pages rendered by the code replaced are not served again.
        self.generation = 0
        self.target: Path | None = None  # the release last rolled to, or tried
        self.ports: list[list[int]] = []  # each replica's two ports, fixed for the cluster's life

    def _started(self, release: Path, port: int) -> replica.Replica:
        """A ready replica of the release on `port`; a slow or failed start gets one more try."""
        for attempt in (1, 2):
            started = replica.start(release, self.state, port=port, generation=self.generation)
            try:
                started.wait_ready()
                return started
            except replica.NotReady as error:
                started.stop()
                if attempt == 2:
                    raise
                log(f"{error}; starting it again")

    def _config(self) -> str:
        return nginx.render(self.state, f"{self.host}:{self.port}", [port for pair in self.ports for port in pair])

    def _free_port(self, member: replica.Replica) -> int:
        """The port of the member's pair it does not use."""
        pair = next(pair for pair in self.ports if member.port in pair)
        return pair[1] if member.port == pair[0] else pair[0]

    def _save(self) -> None:
        state = {
            "release": self.release.name,
            "listen": f"http://{self.host}:{self.port}",
            "supervisor": os.getpid(),
            "nginx": self.nginx.process.pid,
            "replicas": [{"port": r.port, "pid": r.process.pid, "release": r.release.name} for r in self.replicas],
        }
        temporary = self.state / f".{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(temporary, self.state / STATE_FILE)

    def start(self) -> None:
        self.target = self.release = serve.release_dir(self.build)
        # Started together, then awaited: the replicas' start-up work overlaps.
        self.ports = [loopback.free_ports(2) for _ in range(self.size)]
        self.replicas = [replica.start(self.release, self.state, port=pair[0]) for pair in self.ports]
        for index, member in enumerate(self.replicas):
            try:
                member.wait_ready()
            except replica.NotReady:
                member.stop()
                self.replicas[index] = self._started(self.release, self.ports[index][1])
        self.nginx.start(self._config(), (self.host, self.port))
        self._save()
        log(
            f"serving release {self.release.name} on http://{self.host}:{self.port}/ with {self.size} replica(s) "
            f"on ports {', '.join(str(r.port) for r in self.replicas)}"
        )

    def _replace(self, old: replica.Replica, release: Path) -> None:
        new = self._started(release, self._free_port(old))
        if release == self.target:
            self.release = release
        self.replicas[self.replicas.index(old)] = new
        # nginx tries every port in turn (nginx.SERVER), so the new replica is used from its first answer, and a
        # request meeting the old port closed goes to it.
        old.stop()
        if all(member.release == release for member in self.replicas):
            self._wait_for_the_cache(release)
        self._save()
        log(f"replica {old.port} ({old.release.name}) replaced by {new.port} ({release.name})")

    def _wait_for_the_cache(self, release: Path, timeout: float = 10) -> None:
        """Wait until nginx keys its cache to `release` (it asks the replicas at most a second ago), so that once the
        roll-out is reported done no answer of the old release is served from the cache."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{host}:{self.port}/-/health", timeout=2) as response:
                    if response.headers.get("x-portal-cache-release") == release.name:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        log(f"nginx still keys its cache to another release than {release.name} after {timeout:.0f} s")

    def roll(self, release: Path) -> None:
        """Move every replica to `release`, one at a time; on a failure the others keep their release."""
        self.target = release
        same_release = release == self.release
        log(f"moving to release {release.name}")
        try:
            if same_release:
                # A restart after a change to the code: its pages are cached under the next generation.
                self.generation += 1
            for old in list(self.replicas):
                self._replace(old, release)
        except replica.NotReady as error:
            log(f"release {release.name} not rolled out: {error}")
            return
        log(f"every replica serves release {release.name}")

    def heal(self) -> None:
        """Start nginx again if it stopped; replace the replicas that have stopped, on the release they served."""
        if self.nginx.process.poll() is not None:
            log(f"nginx stopped (exit {self.nginx.process.returncode}); starting it again")
            try:
                self.nginx.start(self._config(), (self.host, self.port))
            except nginx.NginxError as error:
                log(f"could not start nginx: {error}")
        for member in list(self.replicas):
            if not member.alive():
                log(f"replica {member.port} ({member.release.name}) stopped (exit {member.process.returncode})")
                try:
                    self._replace(member, member.release)
                except replica.NotReady as error:
                    log(f"could not replace it: {error}")

    def stop(self) -> None:
        self.nginx.stop()
        for member in self.replicas:
            member.stop()


def _locked(state: Path):
    """The cluster's directory, held for this supervisor: two clusters there would share nginx's files."""
    state.mkdir(parents=True, exist_ok=True)
    lock = open(state / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"{state}: another cluster is running from this directory") from None
    return lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--state", type=Path, help="nginx's and the replicas' files (default: BUILD/cluster)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8001")))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between checks of build/current")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    binary = find_nginx()
    if binary is None:
        raise SystemExit("nginx is not installed: run `make cluster-setup` (as root) first")
    state = (args.state or args.build / "cluster").resolve()
    lock = _locked(state)
    cluster = Cluster(args.build.resolve(), state, args.host, args.port, args.replicas, binary)
    requests = {"stop": False, "restart": False}

    def on_signal(number, _frame):
        requests["restart" if number == signal.SIGHUP else "stop"] = True

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)
    try:
        try:
            cluster.start()
        except (replica.NotReady, nginx.NginxError) as error:
            log(f"the cluster did not start: {error}")
            return 1
        while not requests["stop"]:
            cluster.heal()
            current = serve.release_dir(cluster.build)
            if current != cluster.target or requests["restart"]:
                requests["restart"] = False  # SIGHUP: a rolling restart, e.g. after a change to plugins/
                cluster.roll(current)
            time.sleep(args.poll)
    finally:
        log("stopping")
        cluster.stop()
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
