"""How a single `make serve` process moves to a new release, and how long it is unavailable meanwhile.

A running `make serve` keeps the release it resolved at start (scripts/serve/command.py), so it moves by a restart: stop it
(SIGTERM: uvicorn finishes the requests in flight), start it again, and it serves what build/current names then.
Datasette cannot take over a listening port from another process, so between the old process closing its socket and
the new one opening it, connections are refused. This module measures that gap from a client polling every 10 ms.
"""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

from scripts.serve import loopback

POLL_SECONDS = 0.01


@dataclass
class Outage:
    seconds: float  # from the last answer of the old process to the first of the new one
    refused: int  # polls that got no answer meanwhile


class Poller:
    """GETs `url` every POLL_SECONDS in a thread, recording when and whether each got a 200."""

    def __init__(self, url: str):
        self.url, self.samples, self._stop = url, [], threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=1) as response:
                    ok = response.status == 200
            except OSError:
                ok = False
            self.samples.append((started, ok))
            time.sleep(POLL_SECONDS)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def outage(self) -> Outage:
        """The longest run of failed polls, measured between the successes around it."""
        longest, run, last_ok = Outage(0.0, 0), 0, None
        for started, ok in self.samples:
            if not ok:
                run += 1
                continue
            if run and last_ok is not None and started - last_ok > longest.seconds:
                longest = Outage(started - last_ok, run)
            run, last_ok = 0, started
        return longest


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    loopback.wait_until_answering(url, process, timeout, poll=POLL_SECONDS)


def restart(process: subprocess.Popen, start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
    """Stop the server as an administrator would (SIGTERM, wait for it to exit) and start it again."""
    process.terminate()
    process.wait(timeout=30)
    return start()


def measure(start: Callable[[], subprocess.Popen], url: str, repeats: int = 3) -> list[Outage]:
    """Start the server, then restart it `repeats` times while polling `url`; returns each restart's outage."""
    process, outages = start(), []
    try:
        wait_until_answering(url, process)
        for _ in range(repeats):
            with Poller(url) as poller:
                time.sleep(0.2)
                process = restart(process, start)
                wait_until_answering(url, process)
                time.sleep(0.2)
            outages.append(poller.outage())
    finally:
        process.terminate()
        process.wait(timeout=30)
    return outages
