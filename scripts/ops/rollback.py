"""`make rollback`: make the release that was current before the current one current again."""

import sys
from pathlib import Path

from scripts.build.publish.release import rollback


def main(build_dir: Path = Path("build")) -> int:
    try:
        restored = rollback(build_dir, skipped=print)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # the build directory cannot be read or written: say which file, no traceback
        print(f"{error.filename or build_dir}: {error.strerror}", file=sys.stderr)
        return 1
    print(
        f"release {restored.name} is current again; `make serve` moves to it by itself (run as one process: restart it)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
