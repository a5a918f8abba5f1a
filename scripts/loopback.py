"""Servers on 127.0.0.1 for the cluster, the benchmark and the tests: a free port, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now; a server that loses the race for it fails to start and is started again."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


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
