"""Run a command as a child process and measure its wall time and peak resident memory.

The peak is `ru_maxrss` from `wait4` for that child alone, so the benchmark's own memory and its servers never
count. Linux reports the largest of the child and of any process it started and waited for, not their sum: a
build that ran workers side by side would need their memory added up.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    """How one run of a command went."""

    seconds: float
    peak_bytes: int
    returncode: int
    log: Path


def run_measured(args: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> Measured:
    """Run `args` with its output in `log` (never a pipe: a full pipe would stall it), timed from start to exit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait for it again
    return Measured(seconds, usage.ru_maxrss * 1024, process.returncode, log)


def tail(path: Path, lines: int = 20) -> str:
    """The end of a log, for an error message."""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
