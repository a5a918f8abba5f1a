"""Time public requests with and without the restricted tier (token lookup, access plugins); prints p50 and p90.

Each setup runs in its own process because Datasette registers plugins for the whole process. Requests go through
Datasette's in-process client, so the figures are the app's own time, without network or server.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

from plugins.portal_site import compat
from scripts.serve import command as serve
from scripts.serve import token_store

SETUPS = {
    "no plugins, public only": "bare",
    "our plugins, no restricted tier": "public",
    "restricted tier on, anonymous": "tier",
    "restricted tier on, valid token": "token",
}


def _stand_in_release(work: Path, rows: int = 20_000) -> Path:
    """A release like the build's, for when none has been built: one public table with a facet and search."""
    release = work / "stand-in"
    release.mkdir()
    db = sqlite_utils.Database(release / "portal.db")
    db["procedures"].insert_all(
        (
            {"code": f"P{i:06d}", "name": f"Thủ tục số {i}", "unit": f"Đơn vị {i % 40}", "dossiers": i % 997}
            for i in range(rows)
        ),
        pk="code",
    )
    db["procedures"].create_index(["unit"])
    db["procedures"].enable_fts(["name"])
    db["catalogue"].insert({"id": "procedures", "title_vi": "Thủ tục", "table_url": "/portal/procedures"}, pk="id")
    db.close()
    metadata = {
        "title": "Bench",
        "databases": {
            "portal": {
                "tables": {
                    "procedures": {"title": "Thủ tục", "facets": ["unit"], "sortable_columns": ["code", "unit"]},
                    "catalogue": {"title": "Danh mục"},
                }
            }
        },
    }
    (release / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    inspected = asyncio.run(compat.inspect_files([str(release / "portal.db")]))
    (release / "inspect.json").write_text(json.dumps(inspected), encoding="utf-8")
    return release


def _public_paths(release: Path) -> list[str]:
    tables = json.loads((release / "metadata.json").read_text(encoding="utf-8"))["databases"]["portal"]["tables"]
    table = next(name for name in tables if name != "catalogue")
    return ["/", f"/portal/{table}", f"/portal/{table}.json?_size=20", "/portal/catalogue.json?_shape=array"]


def _linked(release: Path, work: Path, restricted: bool) -> Path:
    """The release's files linked into a scratch directory, with or without a restricted database; never modified."""
    copy = work / ("with-tier" if restricted else "public-only")
    copy.mkdir()
    for item in release.iterdir():
        if item.name not in ("restricted.db", "metadata.json"):
            (copy / item.name).symlink_to(item)
    # One client sends every request here: without a budget this large the rate limit would answer most with 429.
    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    metadata.setdefault("plugins", {})["rate-limit"] = {"rate": 1_000_000, "burst": 1_000_000, "sql_second_cost": 1e-9}
    (copy / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    if restricted and (release / "restricted.db").exists():
        (copy / "restricted.db").symlink_to(release / "restricted.db")
    elif restricted:
        db = sqlite_utils.Database(copy / "restricted.db")
        db["health_records"].insert_all(({"id": i, "commune": f"X{i % 50}"} for i in range(1000)), pk="id")
        db.close()
    return copy


def _app(setup: str, release: Path, work: Path):
    if setup == "bare":
        compat.without_installed_plugins()
        from datasette.app import Datasette

        return Datasette(
            immutables=[str(release / "portal.db")],
            settings=serve.SETTINGS,
            inspect_data=json.loads((release / "inspect.json").read_text()),
            metadata=json.loads((release / "metadata.json").read_text(encoding="utf-8")),
        )
    return serve.app(_linked(release, work, restricted=setup != "public"), work / "tokens.db")


async def _measure(setup: str, release: Path, work: Path, rounds: int) -> dict:
    ds = _app(setup, release, work)
    headers = {}
    if setup == "token":
        expires_at = token_store.expiry("2099-12-31", dt.date.today())
        headers = {"Authorization": f"Bearer {token_store.create(work / 'tokens.db', 'bench', '*', expires_at)[1]}"}
    client = ds.client  # one ASGI app for every request, as a server has
    timings = {}
    for path in _public_paths(release):
        for _ in range(10):
            assert (await client.get(path, headers=headers)).status_code == 200, path
        samples = []
        cpu = time.process_time()
        for _ in range(rounds):
            started = time.perf_counter()
            await client.get(path, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
        # CPU time (all threads) is steadier than wall time on a machine that is busy with other work.
        cpu_per_request = (time.process_time() - cpu) * 1000 / rounds
        timings[path] = [statistics.median(samples), statistics.quantiles(samples, n=10)[-1], cpu_per_request]
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--release", type=Path, default=Path("build/current"))
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--setup", choices=sorted(set(SETUPS.values())), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.setup and not args.release.exists():
        with tempfile.TemporaryDirectory() as work:
            print(f"{args.release} does not exist: timing a stand-in release of 20,000 rows")
            return main([*(argv or sys.argv[1:]), "--release", str(_stand_in_release(Path(work)))])
    release = args.release.resolve()
    if args.setup:
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(asyncio.run(_measure(args.setup, release, Path(work), args.rounds))))
        return 0
    print(f"release {release}; {args.rounds} requests per path, {args.repeat} interleaved runs per setup")
    print("milliseconds: median over the runs of each run's p50, of its p90, and of its CPU time per request")
    runs = {label: [] for label in SETUPS}
    for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits every setup alike
        for label, setup in SETUPS.items():
            output = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "scripts.bench.restricted",
                    "--setup",
                    setup,
                    "--release",
                    str(release),
                    "--rounds",
                    str(args.rounds),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[label].append(json.loads(output.stdout.splitlines()[-1]))
    for label, results in runs.items():
        print(f"\n{label}")
        for path in results[0]:
            p50 = statistics.median(result[path][0] for result in results)
            p90 = statistics.median(result[path][1] for result in results)
            cpu = statistics.median(result[path][2] for result in results)
            print(f"  {p50:7.2f} / {p90:7.2f} / {cpu:7.2f}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
