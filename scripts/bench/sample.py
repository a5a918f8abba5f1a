"""The benchmark's input: the synthetic sample at a given scale, generated once and kept between runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = ".complete"  # written last, as `make sample` does: a generation cut short is redone


def data_dir(work: Path, scale: str, source: Path = ROOT / "data") -> Path:
    """`work/data`: the repository's manifest and specs linked in, raw extracts generated at `scale` if missing."""
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.yml", "specs", "themes.yml"):
        link = data / name
        if (source / name).exists() and not link.exists() and not link.is_symlink():
            link.symlink_to(os.path.relpath(source / name, data))  # relative, so the work tree can move
    raw = data / "raw"
    marker = raw / MARKER
    if not marker.exists() or marker.read_text().strip() != scale:
        shutil.rmtree(raw, ignore_errors=True)
        print(f"generating the {scale} sample in {raw} (kept for the next runs)", flush=True)
        subprocess.run([sys.executable, "-m", "scripts.sample", "--scale", scale, "--out", str(raw)], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
        marker.write_text(f"{scale}\n")
    return data
