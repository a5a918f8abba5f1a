"""Which generator wrote a directory of synthetic extracts: the `.complete` marker, written last, holds the scale and
a digest of the generator's code. A sample written by other code (a column added since, say) is generated again by
`make run` and `make bench` rather than built and refused for what it lacks.

    python -m scripts.sample.version mark DIR SCALE   write the marker once DIR is complete
    python -m scripts.sample.version check DIR        exit 0 if DIR was written by this generator
    python -m scripts.sample.version scale DIR        the scale DIR was written at (small when unknown)
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

MARKER = ".complete"
GENERATOR = Path(__file__).resolve().parent
DEFAULT_SCALE = "small"


def fingerprint() -> str:
    """A digest of the generator's modules, their names and contents."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def mark(raw: Path, scale: str) -> None:
    (raw / MARKER).write_text(f"{scale} {fingerprint()}\n", encoding="utf-8")


def recorded(raw: Path) -> tuple[str, str]:
    """(scale, fingerprint) of the marker; empty strings when there is none."""
    try:
        words = (raw / MARKER).read_text(encoding="utf-8").split()
    except OSError:
        return "", ""
    return (words + ["", ""])[0], (words + ["", ""])[1]


def is_current(raw: Path, scale: str | None = None) -> bool:
    found_scale, found = recorded(raw)
    return found == fingerprint() and (scale is None or found_scale == scale)


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "mark":
        mark(Path(argv[1]), argv[2])
        return 0
    if len(argv) == 2 and argv[0] == "check":
        return 0 if is_current(Path(argv[1])) else 1
    if len(argv) == 2 and argv[0] == "scale":
        print(recorded(Path(argv[1]))[0] or DEFAULT_SCALE)
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
