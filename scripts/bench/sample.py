"""The benchmark's input: the synthetic sample at a given scale, generated once and kept between runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.sample import version

ROOT = Path(__file__).resolve().parents[2]


def data_dir(work: Path, scale: str, source: Path = ROOT / "data") -> Path:
    """`work/data`: the repository's manifest and specs linked in, raw extracts generated at `scale` if missing."""
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.yml", "specs", "themes.yml"):
        link = data / name
        if (source / name).exists() and not link.exists() and not link.is_symlink():
            link.symlink_to(os.path.relpath(source / name, data))  # relative, so the work tree can move
    raw = data / "raw"
    # a generation cut short, at another scale, or by another version of the generator is redone
    if not version.is_current(raw, scale):
        shutil.rmtree(raw, ignore_errors=True)
        print(f"generating the {scale} sample in {raw} (kept for the next runs)", flush=True)
        subprocess.run(
            [sys.executable, "-m", "scripts.sample", "--scale", scale, "--out", str(raw)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        version.mark(raw, scale)
    return data
