"""Command line: python -m scripts.bench [--scale province|small] [--work DIR] [--out FILE] [--clients N] ..."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.bench.build_time import BenchFailed
from scripts.bench.run import Options
from scripts.bench.run import main as run
from scripts.sample.province import SCALES

ROOT = Path(__file__).resolve().parents[2]


def parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province", help="sample size (default %(default)s)")
    parser.add_argument(
        "--work", type=Path, help="sample, builds and logs (default build/bench, build/bench-SCALE for other scales)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the report (default docs/benchmarks.md at province scale, "
        "WORK/benchmarks.md otherwise, so that a quick run never replaces the published figures)",
    )
    defaults = Options("", Path(), Path())
    parser.add_argument("--clients", type=int, default=defaults.clients, help="concurrent clients (%(default)s)")
    parser.add_argument(
        "--rounds", type=int, default=defaults.rounds, help="passes of the mix per client and server (%(default)s)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=defaults.max_seconds,
        help="time allowed for the mix on each server (%(default)s)",
    )
    parser.add_argument("--isolation-rounds", type=int, default=defaults.isolation_rounds)
    parser.add_argument("--window-seconds", type=float, default=defaults.window_seconds)
    parser.add_argument(
        "--shared-seconds",
        type=float,
        default=defaults.shared_seconds,
        help="seconds of each abuse beside the users of a shared address (%(default)s)",
    )
    parser.add_argument(
        "--tail-pages",
        type=int,
        default=defaults.tail_pages,
        help="distinct pages of the long tail, each asked once of each server (%(default)s)",
    )
    args = parser.parse_args(argv)
    province = args.scale == "province"
    work = args.work or ROOT / "build" / ("bench" if province else f"bench-{args.scale}")
    out = args.out or (ROOT / "docs" / "benchmarks.md" if province else work / "benchmarks.md")
    return Options(
        args.scale,
        work,
        out,
        args.clients,
        args.rounds,
        args.max_seconds,
        args.isolation_rounds,
        args.window_seconds,
        args.shared_seconds,
        args.tail_pages,
    )


def main(argv: list[str] | None = None) -> int:
    try:
        run(parse(argv))
    except (BenchFailed, RuntimeError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
