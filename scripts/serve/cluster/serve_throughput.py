"""Requests per second of `make serve` as one process (NGINX=off), with 1 worker and with N workers behind nginx.

The setups are alternated run by run (the machine is shared: a spell of other work then hits each alike) and the
medians reported. The clients and the mix are `make bench-cluster`'s (scripts/serve/cluster/bench.py): 8 partner
agencies, each with its own API token (past nginx's cache: the workers are measured, not the cache) and loopback
address (nginx spreads addresses over the workers), one request at a time, 10 s after 2 s of warm-up.

`python -m scripts.serve.cluster.serve_throughput --repeats 3`
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from scripts.serve import command as serve
from scripts.serve.cluster import bench
from scripts.serve.cluster.release_move import Served

ROOT = Path(__file__).resolve().parents[3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args(argv)
    release = serve.release_dir(args.build)
    setups = {"one process (NGINX=off)": None, "WORKERS=1": 1, f"WORKERS={args.workers}": args.workers}
    figures: dict[str, list[bench.Throughput]] = {name: [] for name in setups}
    print(f"release {release.name}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as work:
        tokens = bench._tokens(release, Path(work), args.clients)
        env = dict(os.environ, PORTAL_TOKENS_DB=str(Path(work) / "tokens.db"))
        for repeat in range(args.repeats):
            for name, workers in setups.items():
                served = Served(args.build.resolve(), workers, env, state=Path(work) / "cluster")
                try:
                    result = bench.throughput(served.base, clients=args.clients, seconds=args.seconds, tokens=tokens)
                finally:
                    served.stop()
                figures[name].append(result)
                print(
                    f"run {repeat + 1}, {name}: {result.requests_per_second:.1f} requests/s, p50 "
                    f"{result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, {result.statuses}",
                    flush=True,
                )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    for name, results in figures.items():
        print(
            f"{name}: median {statistics.median(r.requests_per_second for r in results):.1f} requests/s "
            f"(runs: {', '.join(f'{r.requests_per_second:.1f}' for r in results)}), p50 median "
            f"{statistics.median(r.p50_ms for r in results):.0f} ms, p95 median "
            f"{statistics.median(r.p95_ms for r in results):.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
