"""A portal served as a real process on a free loopback port, for tests that need HTTP from outside."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scripts.loopback import free_port, wait_until_answering


@contextmanager
def serving(command_for_port: Callable[[int], list[str]], probe: str = "/-/settings.json",
            start_seconds: float = 30) -> Iterator[str]:
    """Start the command, wait until `probe` answers, yield the base URL, then stop the server."""
    port = free_port()
    process = subprocess.Popen(command_for_port(port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_answering(base + probe, process, start_seconds)
        except RuntimeError as error:
            details = process.stderr.read().decode() if process.poll() is not None else ""
            raise AssertionError(f"{error} {details}") from None
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
