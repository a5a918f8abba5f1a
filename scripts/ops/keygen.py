"""`make key`: write a new secret key of 256 random bits to a file outside the repository, readable by its owner."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scripts.build.anonymise.keys import KEY_FILE_VARIABLE, REPOSITORY, generate_key


def default_path() -> Path:
    """~/.config/open-data-portal/pseudonym.key, or under $XDG_CONFIG_HOME when it is set."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "open-data-portal" / "pseudonym.key"


def write_key(path: Path) -> None:
    """Create the file with mode 0600 and the key in it; never overwrite a key, never write inside the repository."""
    if path.resolve().is_relative_to(REPOSITORY):
        raise ValueError(f"{path} is inside the repository; keep the key outside, where it is never committed")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ValueError(f"{path} already exists; the build reads it as it is (remove it to replace it)") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(generate_key() + "\n")
    os.chmod(path, 0o600)  # whatever the umask was


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, help=f"where to write it (default {default_path()})")
    args = parser.parse_args(argv)
    path = (args.path or default_path()).expanduser()
    try:
        write_key(path)
    except ValueError as error:
        print(f"no key written: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"no key written: {error.filename or path}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote a new key to {path} (mode 0600). Builds use it with:\n  export {KEY_FILE_VARIABLE}={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
