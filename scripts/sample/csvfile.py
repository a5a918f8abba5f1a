"""Write CSV files the way Excel exports them: UTF-8 with BOM, CRLF, minimal quoting."""

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

# Rows rendered to strings at a time: keeps the province scale well under the memory budget.
CHUNK_ROWS = 200_000


def write_csv(path: Path, header: Sequence[str], chunks: Iterable[Sequence[np.ndarray]]) -> int:
    """Write `header` then each chunk (a list of equally long string columns); return the row count."""
    rows = 0
    # utf-8-sig writes the BOM Excel puts in front of "CSV UTF-8" files; the excel dialect ends lines with CRLF.
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, dialect="excel")
        writer.writerow(header)
        for columns in chunks:
            if len(columns) != len(header):
                raise ValueError(f"{path}: {len(columns)} columns for a header of {len(header)}")
            writer.writerows(zip(*columns))
            rows += len(columns[0])
    return rows


def chunked(count: int, size: int = CHUNK_ROWS) -> Iterable[slice]:
    """Yield slices covering range(count) in blocks of `size`."""
    for start in range(0, count, size):
        yield slice(start, min(start + size, count))
