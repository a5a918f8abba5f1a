"""The period a published table covers, read from its period columns, for dct:temporal and schema.org.

Only columns that say when something happened count: years, quarters and months of derived tables, and dates of
events (`*_on` columns, e.g. when a pilot was launched). Planned dates such as deadlines do not describe the data.
Margins ("Tổng") and empty cells are ignored.
"""

from __future__ import annotations

import calendar
import re

import pandas as pd

PERIOD_COLUMNS = ("year", "quarter", "month")
PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), lambda y, m, d: ((y, m, d), (y, m, d))),
    (re.compile(r"^(\d{4})-(\d{2})$"), lambda y, m: ((y, m, 1), (y, m, calendar.monthrange(y, m)[1]))),
    (re.compile(r"^(\d{4})-Q([1-4])$"), lambda y, q: ((y, 3 * q - 2, 1), (y, 3 * q, calendar.monthrange(y, 3 * q)[1]))),
    (re.compile(r"^(\d{4})$"), lambda y: ((y, 1, 1), (y, 12, 31))),
]


def _bounds(value: str) -> tuple[tuple, tuple] | None:
    for pattern, bounds in PATTERNS:
        match = pattern.match(value)
        if match:
            return bounds(*map(int, match.groups()))
    return None


def coverage(frame: pd.DataFrame) -> tuple[str, str]:
    """First and last day (ISO dates) the table's period columns cover, or two empty strings when none does."""
    starts, ends = [], []
    for name in frame.columns:
        if name not in PERIOD_COLUMNS and not name.endswith("_on"):
            continue
        for value in frame[name].dropna().astype(str).unique():
            found = _bounds(value.strip())
            if found:
                starts.append(found[0])
                ends.append(found[1])
    if not starts:
        return "", ""
    return "{:04d}-{:02d}-{:02d}".format(*min(starts)), "{:04d}-{:02d}-{:02d}".format(*max(ends))
