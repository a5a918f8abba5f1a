"""Servers on 127.0.0.1 for the cluster, the benchmark and the tests: a free port, waiting until one answers, and
a server run for the length of a `with` block."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now; a server that loses the race for it fails to start and is started again."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports nobody listens on now (held together while they are chosen)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((host, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60, poll: float = 0.2) -> None:
    """Return once `url` answers 2xx; raise RuntimeError if the process stops first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=max(poll, 1)).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped with exit code {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(poll)


@contextmanager
def serving(
    command_for_port: Callable[[int], list[str]],
    probe: str = "/-/settings.json",
    start_seconds: float = 30,
    log: Path | None = None,
) -> Iterator[str]:
    """Start the server `command_for_port(port)` runs on a free port, wait until `probe` answers, yield its base URL,
    then stop it. Its error output goes to `log`, or to a temporary file, and is quoted if it fails to start."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "w+b") if log else tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command_for_port(port), stdout=subprocess.DEVNULL, stderr=errors)
        try:
            try:
                wait_until_answering(base + probe, process, start_seconds)
            except RuntimeError as error:
                errors.seek(0)
                raise RuntimeError(f"{error}: {errors.read().decode(errors='replace')[-4000:]}") from None
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
