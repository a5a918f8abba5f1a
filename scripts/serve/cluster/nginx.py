"""nginx for the cluster: its configuration rendered from deploy/nginx/, started, stopped; never reloaded while it runs."""

from __future__ import annotations

import grp
import os
import pwd
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from scripts.serve.cluster import processes

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "deploy" / "nginx" / "portal.conf.template"
PLACEHOLDER = re.compile(r"@([A-Z]+)@")
# A port without a replica refuses at once (a fraction of a millisecond on the same machine), and the request goes to
# the next port. Never marked down (max_fails=0): a port marked down for a second after a refusal could be the only
# live one a second later, once the other replica is replaced, and nginx then answered 502 "no live upstreams"
# (1 request in 6,648 over 20 roll-outs).
SERVER = "        server 127.0.0.1:{port} max_fails=0;"


class NginxError(RuntimeError):
    """nginx refused a configuration or did not start."""


def _worker_user(state: Path) -> str:
    # Started by root (CI), nginx would run its workers as `nobody`, who cannot reach a private build directory;
    # they run as the directory's owner instead. Started by anyone else, nginx is simply that user.
    if os.geteuid() != 0:
        return ""
    info = state.stat()
    return f"user {pwd.getpwuid(info.st_uid).pw_name} {grp.getgrgid(info.st_gid).gr_name};"


def render(state: Path, listen: str, ports: list[int], template: Path = TEMPLATE) -> str:
    """The configuration routing to the replicas' `ports` (both ports of every replica: it never changes)."""
    if not ports:
        raise ValueError("at least one replica port is needed")
    values = {
        "STATE": str(state),
        "LISTEN": listen,
        "USER": _worker_user(state),
        "SERVERS": "\n".join(SERVER.format(port=port) for port in ports),
    }
    text = template.read_text(encoding="utf-8")
    unknown = set(PLACEHOLDER.findall(text)) - set(values)
    if unknown:
        raise ValueError(f"{template}: unknown placeholders {sorted(unknown)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


class Nginx:
    """One nginx master process, its files under `state`."""

    def __init__(self, binary: Path, state: Path):
        self.binary, self.state = binary, state
        self.conf = state / "nginx.conf"
        self.process: subprocess.Popen | None = None

    def _args(self, conf: Path) -> list[str]:
        # -e: the error log before the configuration is read, else nginx tries /var/log/nginx first.
        return [str(self.binary), "-p", f"{self.state}/", "-c", str(conf), "-e", str(self.state / "logs" / "error.log")]

    def _write(self, text: str) -> None:
        """Write the configuration, tested by nginx first: a refused one never replaces the one in use."""
        for directory in ("logs", "temp", "cache"):
            (self.state / directory).mkdir(parents=True, exist_ok=True)
        candidate = self.conf.with_name(f".{self.conf.name}.new")
        candidate.write_text(text, encoding="utf-8")
        test = subprocess.run([*self._args(candidate), "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise NginxError(f"nginx refused the configuration: {test.stderr.strip()}")
        os.replace(candidate, self.conf)

    def start(self, text: str, listen: tuple[str, int], timeout: float = 15) -> None:
        # Checked first: with another server on the port, the wait below would meet that server and not nginx.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(listen)
            except OSError as error:
                raise NginxError(f"cannot listen on {listen[0]}:{listen[1]}: {error.strerror}") from None
        self._write(text)
        self.process = processes.spawn(self._args(self.conf), self.state / "logs" / "nginx.out")
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(listen, timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.state / "logs" / "error.log").read_text(errors="replace")[-2000:]
                    raise NginxError(f"nginx did not start listening on {listen[0]}:{listen[1]}:\n{log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process, signal.SIGQUIT)  # QUIT: finish the requests in flight, then exit
