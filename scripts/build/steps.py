"""What every build step shares: the failure that stops a build, and the record of what it did."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field


class BuildFailed(Exception):
    """The build stopped; nothing was published and the current release is untouched."""


@dataclass
class Outcome:
    """What the build did with each manifest entry and how long each step took."""

    published: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    parallel_peak_bytes: int = 0  # the peak memory of the process that wrote the downloads beside the build
    known_names: frozenset[str] = frozenset()
    known_addresses: frozenset[str] = frozenset()  # the sources' addresses, for the gate
    changes: list[dict] = field(default_factory=list)  # the entries this build added to the release history
    disclosure: list[str] = field(default_factory=list)  # per count table: levels published and what they hide

    @contextmanager
    def timed(self, step: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started
