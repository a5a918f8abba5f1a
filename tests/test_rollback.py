"""`make rollback` on real release directories: under the build lock, back to the release that was current before,
never to an incomplete one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.build.publish import current_log, release, release_seal

ROOT = Path(__file__).resolve().parent.parent


def publish(build_dir: Path, content: str) -> Path:
    staging = release.new_staging_dir(build_dir)
    (staging / "portal.db").write_text(content)
    (staging / "metadata.json").write_text("{}")
    (staging / "inspect.json").write_text("{}")
    return release.publish(staging, build_dir)


def make_rollback(workdir: Path) -> subprocess.CompletedProcess:
    """`make rollback` as the Makefile runs it, from a directory whose build/ is the one under test."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "scripts.ops.rollback"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_rollback_during_a_build_is_refused_in_one_line_and_changes_nothing(tmp_path):
    build_dir = tmp_path / "build"
    publish(build_dir, "one")
    second = publish(build_dir, "two")
    with release.exclusive(build_dir):  # what a running build holds
        ran = make_rollback(tmp_path)
    assert ran.returncode == 1
    assert ran.stderr.count("\n") == 1 and "a build or rollback is running" in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr + ran.stdout
    assert release.current_release(build_dir) == second
    assert make_rollback(tmp_path).returncode == 0  # once the build is over


def test_a_rollback_returns_to_the_release_that_was_current_before(tmp_path):
    eleven = publish(tmp_path, "0011")
    publish(tmp_path, "0012")
    assert release.rollback(tmp_path) == eleven
    thirteen = publish(tmp_path, "0013")  # numbered after 0012, which is still kept
    assert thirteen.name == "0003"
    assert release.rollback(tmp_path) == eleven  # not 0002, the next lower number
    assert (tmp_path / "portal.db").read_text() == "0011"
    assert current_log.stack(tmp_path) == [eleven.name]


@pytest.mark.parametrize("damage", ["removed", "truncated", "unsealed"])
def test_an_incomplete_release_is_passed_over_and_named(tmp_path, damage):
    first = publish(tmp_path, "one")
    second = publish(tmp_path, "two")
    publish(tmp_path, "three")
    if damage == "removed":
        (second / "portal.db").unlink()
    elif damage == "truncated":
        (second / "portal.db").write_text("tw")
    else:
        (second / release_seal.SEAL).unlink()
    told = []
    assert release.rollback(tmp_path, skipped=told.append) == first
    assert len(told) == 1 and told[0].startswith(f"skipped release {second.name}: it is not complete: ")
    assert (tmp_path / "portal.db").read_text() == "one"


def test_a_rollback_with_no_complete_release_before_refuses_and_changes_nothing(tmp_path):
    first = publish(tmp_path, "one")
    second = publish(tmp_path, "two")
    (first / "portal.db").unlink()
    with pytest.raises(RuntimeError, match="no earlier release to roll back to"):
        release.rollback(tmp_path)
    assert release.current_release(tmp_path) == second


def test_a_build_directory_older_than_the_log_still_rolls_back_after_one_build(tmp_path):
    first = publish(tmp_path, "one")
    (tmp_path / current_log.LOG).unlink()  # as a build directory made before releases were logged
    publish(tmp_path, "two")
    assert release.rollback(tmp_path) == first


def test_pruning_killed_midway_leaves_no_half_release(tmp_path, monkeypatch):
    for n in range(release.KEEP_RELEASES):
        publish(tmp_path, str(n))
    removing = shutil.rmtree

    def killed(path, *args, **kwargs):
        if kwargs.get("ignore_errors"):
            return removing(path, *args, **kwargs)
        next(Path(path).iterdir()).unlink()  # one file gone, then the process dies
        raise KeyboardInterrupt

    monkeypatch.setattr(release.shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path, "last")
    monkeypatch.undo()
    for kept in (p for p in (tmp_path / "releases").iterdir() if p.name.isdigit()):
        assert release_seal.problem(kept) is None, kept.name
    with release.exclusive(tmp_path):  # the next build or rollback clears what the kill left
        pass
    assert not list(tmp_path.glob(".pruning-*"))
