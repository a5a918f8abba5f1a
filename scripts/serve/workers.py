"""`make serve`: the current release on every core, moved to each new release without a failed request.

With nginx installed, `make serve` is the cluster (scripts/serve/cluster/supervisor.py): WORKERS Datasette replicas
(one per core by default) behind nginx on PORT. One Datasette process uses about one core (Python's interpreter
lock), so a core needs a process of its own. The cluster rather than uvicorn's `--workers` on one socket because:

- the rate limits stay correct: they are per client and per process (plugins/rate_limit.py), and nginx sends each
  client address to one replica (`hash $remote_addr`), where the kernel spreads a shared socket's connections over
  the workers blindly and a client would get up to N budgets;
- a new release, or a restart after a change to the code (`make serve-restart`), reaches the replicas one at a time
  behind nginx, which keeps the clients' connections and is never reloaded: no refused connection and no closed
  keep-alive connection (docs/cluster.md), where a restarted uvicorn, alone or with workers, closes both.

Without nginx (a newcomer's machine), or with NGINX=off, `make serve` is one process (scripts/serve/command.py), as
before, and says so in one line. The container and the tests keep that one process: in Kubernetes the pods are the
replicas and the Service spreads them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from scripts.serve.cluster.setup import find_nginx

ROOT = Path(__file__).resolve().parents[2]
ENV = "PORTAL_WORKERS"  # `make serve WORKERS=3` sets it through the command line; the environment works too
MAX_WORKERS = 64
OFF = ("off", "no", "0", "false")


def worker_count(value: str | None, cores: int | None) -> int:
    """WORKERS as given (a whole number from 1 to MAX_WORKERS), else one per core."""
    if value is None or not value.strip():
        return max(1, cores or 1)
    try:
        count = int(value.strip())
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_WORKERS:
        raise SystemExit(
            f"WORKERS={value!r}: give a whole number of workers from 1 to {MAX_WORKERS}, or leave it "
            f"out for one per core ({cores or 1} here)"
        )
    return count


@dataclass
class Plan:
    workers: int  # Datasette processes that will serve
    argv: list[str]  # the command run in this process's place
    line: str  # what `make serve` says first about how it serves


def plan(build: Path, host: str, port: int, workers: int, nginx: Path | None, state: Path | None = None) -> Plan:
    """How to serve: WORKERS replicas behind nginx, or one process when nginx is None."""
    where = f"http://{host}:{port}/"
    if nginx is None:
        argv = [
            sys.executable,
            "-m",
            "scripts.serve.command",
            "--build",
            str(build),
            "--host",
            host,
            "--port",
            str(port),
        ]
        return Plan(
            1,
            argv,
            f"make serve: ONE process on one core at {where} (nginx is not installed or NGINX=off): "
            f"{'not the ' + str(workers) + ' workers asked for, ' if workers > 1 else ''}and a new "
            f"release is served only after a restart, which refuses connections for about a second. "
            f"For every core and no dropped request: sudo make cluster-setup (docs/cluster.md).",
        )
    argv = [
        sys.executable,
        "-m",
        "scripts.serve.cluster.supervisor",
        "--build",
        str(build),
        "--host",
        host,
        "--port",
        str(port),
        "--replicas",
        str(workers),
    ]
    if state is not None:
        argv += ["--state", str(state)]
    return Plan(
        workers,
        argv,
        f"make serve: {workers} worker{'s' if workers > 1 else ''} (Datasette replicas) "
        f"behind nginx at {where}, each client address always on the same one; a new release "
        f"or `make serve-restart` moves them one by one.",
    )


def restart(build: Path, state: Path | None = None) -> int:
    """`make serve-restart`: ask the running supervisor for a rolling restart (SIGHUP), e.g. after a code change."""
    path = (state or build / "cluster") / "state.json"
    try:
        pid = int(json.loads(path.read_text(encoding="utf-8"))["supervisor"])
        # state.json outlives its supervisor: the process id may be another process's by now.
        if b"scripts.serve.cluster.supervisor" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            raise ProcessLookupError(pid)
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError, KeyError, TypeError):
        print(
            f"no `make serve` with workers is running from {build} ({path} names no live supervisor); a single "
            f"process is restarted by stopping it (Ctrl-C) and running `make serve` again",
            file=sys.stderr,
        )
        return 1
    print(f"rolling restart asked of the supervisor (pid {pid}): its replicas are replaced one by one")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--state", type=Path, help="the cluster's files (default: BUILD/cluster)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8001")))
    parser.add_argument("--workers", default=os.environ.get(ENV), help=f"default: one per core (${ENV})")
    parser.add_argument("--nginx", default="", help="off: one process, even with nginx installed")
    parser.add_argument("--restart", action="store_true", help="rolling restart of the running `make serve`")
    args = parser.parse_args(argv)
    if args.restart:
        return restart(args.build, args.state)
    workers = worker_count(args.workers, os.cpu_count())
    nginx = None if args.nginx.strip().lower() in OFF else find_nginx()
    chosen = plan(args.build, args.host, args.port, workers, nginx, args.state)
    print(chosen.line, flush=True)
    os.execv(chosen.argv[0], chosen.argv)


if __name__ == "__main__":
    sys.exit(main())
