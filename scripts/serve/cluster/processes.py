"""Child processes of the cluster supervisor: started in a session of their own, stopped when the supervisor dies."""

from __future__ import annotations

import ctypes
import signal
import subprocess
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child before exec. The kernel sends SIGTERM when the thread that started the child exits, so a
    # killed supervisor leaves no replica or nginx behind; children are therefore started from the main thread.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start a child with its output in `log`; its own session keeps a terminal's Ctrl-C for the supervisor, which
    stops the children in order."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as output:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Ask a child to stop with `sig` (graceful for nginx and uvicorn alike), killing it after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
