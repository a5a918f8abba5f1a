"""The completeness seal of a release: SHA256SUMS, written last into the staging directory before it is published.

A release directory can be left incomplete after it was published: pruning removes old releases file by file, and a
kill in the middle leaves some of them behind. A rollback must never make such a release current, so each release
lists its files with their SHA-256 (the format of `sha256sum`, so `sha256sum -c SHA256SUMS` checks it by hand):
a release whose list is missing, or whose files are missing or differ, is not complete.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SEAL = "SHA256SUMS"
CHUNK = 1 << 20


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files(directory: Path) -> list[Path]:
    """Every file of a release, those in its subdirectories (the whole-table downloads) included, the seal aside."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p != directory / SEAL)


def seal(directory: Path) -> Path:
    """Write the list of the directory's files and their digests; the directory is complete at this point.

    Files in subdirectories are listed by their path in the release (`downloads/communes.csv`), as sha256sum does.
    """
    path = directory / SEAL
    path.write_text(
        "".join(f"{_digest(p)}  {p.relative_to(directory).as_posix()}\n" for p in files(directory)), encoding="utf-8"
    )
    return path


def problem(directory: Path) -> str | None:
    """Why the release in `directory` is not complete, in a few words; None when it is."""
    path = directory / SEAL
    if not path.is_file():
        return f"it has no {SEAL} (a release that pruning half removed, or one built before releases were sealed)"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        return f"its {SEAL} cannot be read ({error.__class__.__name__})"
    listed = [line.split("  ", 1) for line in lines if line.strip()]
    if not listed or any(len(entry) != 2 for entry in listed):
        return f"its {SEAL} is empty or not in the format sha256sum writes"
    for digest, name in listed:
        file = directory / name
        if not file.is_file():
            return f"{name} is missing"
        if _digest(file) != digest:
            return f"{name} differs from its checksum in {SEAL}"
    return None
