"""The machine and the software versions a benchmark ran on, for the report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

PACKAGES = ("datasette", "sqlite-utils", "pandas", "httpx", "uvicorn")


def _proc_field(path: str, name: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe() -> dict:
    """Cores, memory, CPU model, load when the run started, and the versions of what was measured."""
    memory_kb = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gib": int(memory_kb.split()[0]) / 2**20 if memory_kb else None,
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "load_average": os.getloadavg()[0],
        "system": platform.platform(terse=True),
        "versions": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            **{name: metadata.version(name) for name in PACKAGES},
        },
    }
