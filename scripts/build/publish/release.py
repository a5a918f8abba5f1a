"""Numbered releases under build/: staged privately, switched in by an atomic rename of one symlink."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from scripts.build.publish import current_log, release_seal

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
    """Hold the build lock: two builds at once would race for the same release number, and a rollback during a build
    would be undone by its switch a moment later.

    Staging directories left by a build that was killed, and releases half pruned, are removed once the lock is held.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"{build_dir}: a build or rollback is running (it holds {build_dir / '.lock'}); "
                "try again once it has finished"
            ) from None
        for stale in [*build_dir.glob(".staging-*"), *build_dir.glob(".pruning-*")]:
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
    """Turn a complete staging directory into the next release, sealed, and make it current."""
    release_seal.seal(staging)
    for file in release_seal.files(staging) + [staging / release_seal.SEAL]:
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    releases = build_dir / "releases"
    releases.mkdir(exist_ok=True)
    release = releases / (name or next_name(build_dir))
    previous = current_release(build_dir)
    if previous is not None and not current_log.stack(build_dir):
        current_log.record(build_dir, current_log.FOUND, previous.name)  # a build directory older than the log
    os.replace(staging, release)
    _point(build_dir / "current", f"releases/{release.name}")
    current_log.record(build_dir, current_log.BUILD, release.name)
    for convenience in CONVENIENCE_LINKS:
        link = build_dir / convenience
        if not link.is_symlink():
            _point(link, f"current/{convenience}")
    _prune(releases, keep)
    return release


def rollback(build_dir: Path, skipped: Callable[[str], None] = lambda line: None) -> Path:
    """Make the release that was current before the current one current again (build/current.log).

    Holds the build lock. A release since pruned or not complete (release_seal.py) is passed over, told to
    `skipped`, for the one current before it.
    """
    with exclusive(build_dir):
        current = current_release(build_dir)
        if current is None:
            raise RuntimeError(f"{build_dir}: nothing has been published yet, so there is nothing to roll back")
        history = current_log.stack(build_dir)
        # Normally current is the top of the stack; if it was switched to by hand, the log's top came before it.
        earlier = history[: current_log.last(history, current.name)] if current.name in history else history
        for name in reversed(earlier):
            target = build_dir / "releases" / name
            if name == current.name:
                continue
            if not target.is_dir():
                skipped(f"skipped release {name}: it has been pruned (only the last {KEEP_RELEASES} are kept)")
                continue
            problem = release_seal.problem(target)
            if problem:
                skipped(f"skipped release {name}: it is not complete: {problem}")
                continue
            _point(build_dir / "current", f"releases/{name}")
            current_log.record(build_dir, current_log.ROLLBACK, name)
            return target
    raise RuntimeError(
        f"{build_dir}: there is no earlier release to roll back to: {build_dir / current_log.LOG} "
        f"names no complete release that was current before {current.name}; to serve another "
        f"release, point the link at it: ln -sfn releases/NNNN {build_dir / 'current'}"
    )


def _prune(releases: Path, keep: int) -> None:
    """Remove all but the last `keep` releases, each first renamed out of the numbered names in one step: a kill
    in the middle leaves a `.pruning-` directory (removed by the next build) and never half a release."""
    numbered = sorted(p for p in releases.iterdir() if p.name.isdigit())
    for old in numbered[:-keep]:
        doomed = releases.parent / f".pruning-{old.name}"
        shutil.rmtree(doomed, ignore_errors=True)
        os.replace(old, doomed)
        shutil.rmtree(doomed)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed build; what is served is untouched."""
    shutil.rmtree(staging, ignore_errors=True)
