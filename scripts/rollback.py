"""`make rollback`: make the previous release current again."""

import sys
from pathlib import Path

from .release import rollback


def main() -> int:
    try:
        restored = rollback(Path("build"))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"release {restored.name} is current again; restart `make serve` to serve it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
