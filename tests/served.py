"""A portal served as a real process on a free loopback port, for tests that need HTTP from outside."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(command_for_port: Callable[[int], list[str]], probe: str = "/-/settings.json",
            start_seconds: float = 30) -> Iterator[str]:
    """Start the command, wait until `probe` answers, yield the base URL, then stop the server."""
    port = free_port()
    process = subprocess.Popen(command_for_port(port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(base + probe, timeout=2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(f"the server stopped: {process.stderr.read().decode()}") from None
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
