"""The plain way of loading the same raw extracts, the build's baseline: pandas `read_csv`, then `to_sql`.

No validation, no anonymisation, no indexes: what a first script would do. Run as its own process
(`python -m scripts.bench.plain_load OUT.db FILE.csv ...`) so that its time and memory are measured like the build's.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pandas as pd


def load(out: Path, files: list[Path]) -> dict[str, int]:
    """Each CSV file into a table named after it, in a fresh SQLite file; returns the rows of each."""
    out.unlink(missing_ok=True)
    rows = {}
    with closing(sqlite3.connect(out)) as db:
        for path in files:
            frame = pd.read_csv(path)
            frame.to_sql(path.stem, db, index=False)
            rows[path.stem] = len(frame)
            del frame  # one extract in memory at a time, as the build reads them
        db.commit()
    return rows


if __name__ == "__main__":
    for table, count in load(Path(sys.argv[1]), [Path(name) for name in sys.argv[2:]]).items():
        print(f"{table}\t{count} rows")
