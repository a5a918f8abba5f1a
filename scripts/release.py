"""Numbered releases under build/: staged privately, switched in by an atomic rename of one symlink."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

KEEP_RELEASES = 5
# Stable entry points for people and tools: they always resolve through `current`.
CONVENIENCE_LINKS = ("portal.db", "metadata.json")


def current_release(build_dir: Path) -> Path | None:
    """The release directory being served, or None before the first build."""
    link = build_dir / "current"
    return link.resolve() if link.is_symlink() else None


def new_staging_dir(build_dir: Path) -> Path:
    """A private directory on the same filesystem, so the final rename is atomic."""
    build_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))


@contextmanager
def exclusive(build_dir: Path):
    """Hold the build lock: two builds at once would race for the same release number.

    Staging directories left by a build that was killed are removed once the lock is held.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"{build_dir}: another build is running") from None
        for stale in build_dir.glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


def next_name(build_dir: Path) -> str:
    """The name the next release will get: one more than the highest kept."""
    releases = build_dir / "releases"
    numbers = [int(p.name) for p in releases.iterdir() if p.name.isdigit()] if releases.exists() else []
    return f"{max(numbers, default=0) + 1:04d}"


def _point(link: Path, target: str) -> None:
    temporary = link.with_name(f".{link.name}.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target)
    os.replace(temporary, link)


def publish(staging: Path, build_dir: Path, keep: int = KEEP_RELEASES, name: str | None = None) -> Path:
    """Turn a complete staging directory into the next release and make it current."""
    for file in staging.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    releases = build_dir / "releases"
    releases.mkdir(exist_ok=True)
    release = releases / (name or next_name(build_dir))
    os.replace(staging, release)
    _point(build_dir / "current", f"releases/{release.name}")
    for name in CONVENIENCE_LINKS:
        link = build_dir / name
        if not link.is_symlink():
            _point(link, f"current/{name}")
    _prune(releases, keep)
    return release


def rollback(build_dir: Path) -> Path:
    """Make the release before the current one current again."""
    current = current_release(build_dir)
    releases = sorted(p for p in (build_dir / "releases").iterdir() if p.name.isdigit())
    older = [p for p in releases if current is None or p.name < current.name]
    if not older:
        raise RuntimeError(f"{build_dir}: there is no earlier release to roll back to")
    _point(build_dir / "current", f"releases/{older[-1].name}")
    return older[-1]


def _prune(releases: Path, keep: int) -> None:
    numbered = sorted(p for p in releases.iterdir() if p.name.isdigit())
    for old in numbered[:-keep]:
        shutil.rmtree(old)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed build; what is served is untouched."""
    shutil.rmtree(staging, ignore_errors=True)
