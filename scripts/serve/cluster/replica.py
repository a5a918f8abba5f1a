"""One Datasette replica of a release on a private loopback port: `make serve`'s command, behind the cluster's nginx."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

from scripts.serve import command as serve
from scripts.serve import loopback
from scripts.serve.cluster import processes

# nginx reaches the replicas from here: only its X-Forwarded-For is believed (plugins/rate_limit.py).
PROXY = "127.0.0.1"
# One signing secret for every replica this supervisor starts (Datasette reads $DATASETTE_SECRET): the request
# form's CSRF cookie, signed by the replica that served the form, must verify on the one its POST reaches.
SECRET = secrets.token_hex(32)


class NotReady(RuntimeError):
    """A replica stopped or did not report itself ready in time."""


def _metadata_trusting_the_proxy(metadata_path: Path, state: Path) -> Path:
    """The served metadata with nginx added to the rate limiter's trusted proxies, so each client keeps its budget."""
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    limits = metadata.setdefault("plugins", {}).setdefault("rate-limit", {})
    limits["trusted_proxies"] = sorted(set(limits.get("trusted_proxies") or []) | {PROXY})
    text = json.dumps(metadata, ensure_ascii=False, indent=2)
    path = state / f"metadata-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    if not path.exists():
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return path


def command(release: Path, port: int, state: Path, tokens: Path | None = None) -> list[str]:
    """`make serve`'s command line for the release on `port`, with the cluster's proxy trusted."""
    line = serve.command(release, port=port, tokens=tokens)
    at = line.index("--metadata") + 1
    line[at] = str(_metadata_trusting_the_proxy(Path(line[at]), state))
    return line


@dataclass
class Replica:
    release: Path
    port: int
    process: Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> bool:
        """Whether the replica answers /-/ready with 200, for the release it was started on."""
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return json.load(response).get("release") == self.release.name
        except (OSError, ValueError):
            return False

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if not self.alive():
                raise NotReady(f"replica on port {self.port} ({self.release.name}) stopped while starting")
            if time.monotonic() > deadline:
                raise NotReady(f"replica on port {self.port} ({self.release.name}) not ready after {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        processes.stop(self.process)  # uvicorn finishes the requests in flight on SIGTERM


# The cluster's rolling restarts of the same release (after a change to the code) are counted in this variable; a
# replica names its generation in a header (plugins/release_header.py), part of nginx's cache key.
GENERATION = "PORTAL_GENERATION"


def start(
    release: Path, state: Path, tokens: Path | None = None, port: int | None = None, generation: int = 0
) -> Replica:
    """Start a replica on `port` (a free one if None); it is not ready yet (see Replica.wait_ready)."""
    port = port or loopback.free_port()
    environment = {"DATASETTE_SECRET": SECRET, **os.environ, GENERATION: str(generation)}
    process = processes.spawn(
        command(release, port, state, tokens), state / "logs" / f"replica-{port}.log", env=environment
    )
    return Replica(release, port, process)
