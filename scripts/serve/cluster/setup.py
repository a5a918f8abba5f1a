"""`make cluster-setup`: make sure nginx is installed (Debian's package), installing it when run as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
SYSTEM_PATHS = (Path("/usr/sbin/nginx"), Path("/usr/local/sbin/nginx"))


def find_nginx() -> Path | None:
    """The nginx binary, or None when it is not installed."""
    found = shutil.which("nginx")
    if found:
        return Path(found)
    return next((path for path in SYSTEM_PATHS if os.access(path, os.X_OK)), None)


def install_nginx() -> None:
    """Install Debian's nginx package; needs root. The cluster never uses the package's service or /etc/nginx."""
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "nginx"]
    if subprocess.run(install, env=environment).returncode != 0:
        # A fresh machine's package lists may be missing or stale.
        subprocess.run(["apt-get", "update"], env=environment, check=True)
        subprocess.run(install, env=environment, check=True)


def ensure_nginx(install: bool = True) -> Path | None:
    """nginx's path, installing it first if it is missing, `install` is true and we are root; else None."""
    nginx = find_nginx()
    if nginx is None and install and os.geteuid() == 0 and shutil.which("apt-get"):
        install_nginx()
        nginx = find_nginx()
    return nginx


def main() -> int:
    nginx = ensure_nginx()
    if nginx is None:
        print(
            "nginx is needed for the cluster and is not installed. Install Debian's package as root "
            "(sudo apt-get install -y nginx) and run `make serve-cluster` again.",
            file=sys.stderr,
        )
        return 1
    print(f"nginx: {nginx}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
