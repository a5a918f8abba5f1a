"""Wait for a server process to answer: the one start-up check of `make serve`'s processes, for the cluster, the
benchmark and the tests."""

from __future__ import annotations

import subprocess
import time
import urllib.request


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
