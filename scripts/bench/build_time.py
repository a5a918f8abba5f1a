"""Time `make build` step by step and the plain pandas load of the same raw rows, each with its peak memory."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from scripts.bench.measure import run_measured, tail
from scripts.build.anonymise.pseudonym import DEVELOPMENT_KEY, KEY_FILE_VARIABLE, KEY_VARIABLE
from scripts.build.spec.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[2]


class BenchFailed(Exception):
    """A step of the benchmark could not be carried out; the message says which and why."""


def source_files(data: Path) -> list[Path]:
    """The raw files the build reads: those of the approved datasets, each once."""
    files = []
    for entry in load_manifest(data / "manifest.yml").datasets:
        for name in entry.source.files if entry.approved else []:
            if data / name not in files:
                files.append(data / name)
    return files


def _build_environment() -> dict:
    """The environment `make build` gives the build: the development key when no key is configured."""
    env = dict(os.environ)
    if not env.get(KEY_VARIABLE) and not env.get(KEY_FILE_VARIABLE):
        env[KEY_VARIABLE] = DEVELOPMENT_KEY.decode()
    return env


def time_build(data: Path, build_dir: Path, work: Path) -> dict:
    """Run the real build of `data` into `build_dir`; seconds in all and per step, peak memory, the release."""
    timings = work / "build-timings.json"
    timings.unlink(missing_ok=True)
    run = run_measured(
        [
            sys.executable,
            "-m",
            "scripts.build.pipeline",
            "--data",
            str(data),
            "--build",
            str(build_dir),
            "--metadata",
            str(ROOT / "metadata.yml"),
            "--timings-json",
            str(timings),
        ],
        work / "build.log",
        env=_build_environment(),
        cwd=ROOT,
    )
    if run.returncode:
        raise BenchFailed(f"the build failed (log {run.log}):\n{tail(run.log)}")
    record = json.loads(timings.read_text(encoding="utf-8"))
    # The build's peak and that of the process writing its downloads at the same time, added: wait4 reports only the
    # larger of the two.
    return {
        "seconds": run.seconds,
        "peak_bytes": run.peak_bytes + record.get("parallel_peak_bytes", 0),
        "steps": record["steps"],
        "rows": sum(record["published"].values()),
        # by name, not through `current`, which another build into the same directory may have moved since
        "release": str((build_dir / "releases" / record["release"]).resolve()),
    }


def time_plain_load(data: Path, work: Path) -> dict:
    """Load the same raw files with pandas `read_csv` + `to_sql` in a process of its own; seconds and peak memory."""
    files = source_files(data)
    run = run_measured(
        [sys.executable, "-m", "scripts.bench.plain_load", str(work / "plain.db"), *map(str, files)],
        work / "plain-load.log",
        cwd=ROOT,
    )
    if run.returncode:
        raise BenchFailed(f"the plain load failed (log {run.log}):\n{tail(run.log)}")
    rows = sum(
        int(line.split("\t")[1].split()[0]) for line in run.log.read_text(encoding="utf-8").splitlines() if "\t" in line
    )
    (work / "plain.db").unlink(missing_ok=True)  # hundreds of megabytes that nothing reads
    return {
        "seconds": run.seconds,
        "peak_bytes": run.peak_bytes,
        "files": len(files),
        "rows": rows,
        "bytes": sum(path.stat().st_size for path in files),
    }
