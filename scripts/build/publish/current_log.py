"""build/current.log: which release was made current, when and how, one line each, only ever appended to.

Release numbers say in which order releases were built, not which one was served before the current one: after a
rollback from 0012 to 0011 the next build is 0013, and rolling back from 0013 must return to 0011, not 0012. So
every switch of `current` is recorded, and a rollback replays the log as a stack: a build pushes its release, a
rollback pops back down to the release it made current. (Each dataset's own version history is another matter:
scripts/build/publish/release_history.py, carried inside the releases.)
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

LOG = "current.log"
BUILD, ROLLBACK, FOUND = "build", "rollback", "found"  # FOUND: current before the log existed


def record(build_dir: Path, kind: str, release: str) -> None:
    """Append one switch; a single short write in append mode, so concurrent readers never see half a line."""
    when = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    line = f"{when} {kind} {release}\n".encode()
    fd = os.open(build_dir / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def stack(build_dir: Path) -> list[str]:
    """The releases that were current, oldest first, each still to return to by a rollback from the one above it."""
    path = build_dir / LOG
    if not path.exists():
        return []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) != 3:
            continue  # a line cut short by a full disk: the switches before and after it still count
        _, kind, release = fields
        if kind == ROLLBACK and release in current:
            del current[last(current, release) + 1 :]
        else:
            current.append(release)
    return current


def last(items: list[str], item: str) -> int:
    """The index of the last occurrence of `item` in `items`."""
    return len(items) - 1 - items[::-1].index(item)
