"""A build killed at any moment leaves the published release byte-identical and servable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.build.pipeline import build
from scripts.build.publish.release import current_release
from tests.test_disclosure_build import AGGREGATE_SPEC, PEOPLE_SPEC, add_dataset, people_csv, write

ROOT = Path(__file__).resolve().parent.parent


def snapshot(release: Path) -> dict[str, bytes]:
    # Every file of the release, those in its subdirectories (downloads/) included.
    return {str(p.relative_to(release)): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.3, 0.8, 1.5, 2.5])
def test_killing_a_build_never_touches_the_current_release(data_dir, portal_metadata, tmp_path, after):
    write(data_dir / "specs" / "people.yml", PEOPLE_SPEC)
    write(data_dir / "raw" / "people.csv", people_csv(rows=60_000))
    add_dataset(data_dir, "people_by_commune_sex", AGGREGATE_SPEC)
    build_dir = tmp_path / "build"
    first, _ = build(data_dir, build_dir, portal_metadata)
    before = snapshot(first)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.build.pipeline",
            "--data",
            str(data_dir),
            "--build",
            str(build_dir),
            "--metadata",
            str(portal_metadata),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    current = current_release(build_dir)
    assert snapshot(first) == before
    if current != first:  # the kill came after the switch: the new release must then be complete
        assert {str(p.relative_to(current)) for p in current.rglob("*") if p.is_file()} == set(before)
    # The next build cleans up whatever the killed one left and publishes normally.
    latest, _ = build(data_dir, build_dir, portal_metadata)
    assert not list(build_dir.glob(".staging-*"))
    assert latest.name > first.name
