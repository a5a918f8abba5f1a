"""Numbered releases: atomic switch, pruning and rollback."""

from __future__ import annotations

import pytest

from scripts.build.publish import release


def stage(build_dir, content: str):
    staging = release.new_staging_dir(build_dir)
    (staging / "portal.db").write_text(content)
    (staging / "metadata.json").write_text("{}")
    return staging


def test_publish_switches_current_and_links(tmp_path):
    first = release.publish(stage(tmp_path, "one"), tmp_path)
    assert first.name == "0001"
    assert (tmp_path / "portal.db").read_text() == "one"
    second = release.publish(stage(tmp_path, "two"), tmp_path)
    assert release.current_release(tmp_path) == second
    assert (tmp_path / "portal.db").read_text() == "two"
    assert (first / "portal.db").read_text() == "one"


def test_only_the_last_releases_are_kept(tmp_path):
    for n in range(7):
        release.publish(stage(tmp_path, str(n)), tmp_path, keep=3)
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == ["0005", "0006", "0007"]


def test_rollback_restores_the_previous_release(tmp_path):
    release.publish(stage(tmp_path, "one"), tmp_path)
    release.publish(stage(tmp_path, "two"), tmp_path)
    assert release.rollback(tmp_path).name == "0001"
    assert (tmp_path / "portal.db").read_text() == "one"
    with pytest.raises(RuntimeError, match="no earlier release"):
        release.rollback(tmp_path)
    assert release.publish(stage(tmp_path, "three"), tmp_path).name == "0003"


def test_discard_removes_staging_only(tmp_path):
    current = release.publish(stage(tmp_path, "one"), tmp_path)
    staging = stage(tmp_path, "broken")
    release.discard(staging)
    assert not staging.exists() and release.current_release(tmp_path) == current
