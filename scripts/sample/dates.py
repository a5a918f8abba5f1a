"""Dates as dd/mm/yyyy strings, through lookup tables so that millions of rows render fast."""

import numpy as np
import pandas as pd

from scripts.sample.province import EVENT_START, HOLIDAYS, REPORT_DATE

FIRST_DAY = np.datetime64("1900-01-01")
LAST_DAY = np.datetime64("2027-12-31")
_DAYS = pd.Series(np.arange(FIRST_DAY, LAST_DAY + 1))
PADDED = _DAYS.dt.strftime("%d/%m/%Y").to_numpy(dtype=object)
# Excel shows dates without leading zeros when a cell was typed by hand or reformatted: 5/3/2024.
LOOSE = (_DAYS.dt.day.astype(str) + "/" + _DAYS.dt.month.astype(str) + "/" + _DAYS.dt.year.astype(str)).to_numpy(
    dtype=object
)
del _DAYS


def render(dates: np.ndarray, loose: np.ndarray | None = None) -> np.ndarray:
    """Render datetime64[D] values as dd/mm/yyyy; NaT becomes empty; `loose` rows lose leading zeros."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    missing = np.isnat(dates)
    index = (np.where(missing, FIRST_DAY, dates) - FIRST_DAY).astype(np.int64)
    out = PADDED[index]
    if loose is not None:
        out = np.where(loose, LOOSE[index], out)
    out[missing] = ""
    return out


def uniform_days(rng: np.random.Generator, size: int, start=EVENT_START, end=REPORT_DATE) -> np.ndarray:
    """Draw dates uniformly in [start, end]."""
    span = int((end - start).astype(int)) + 1
    return start + rng.integers(0, span, size=size).astype("timedelta64[D]")


def working_day_on_or_after(dates: np.ndarray) -> np.ndarray:
    """Move dates that fall on a weekend or public holiday to the next working day."""
    return np.busday_offset(dates, 0, roll="forward", holidays=HOLIDAYS)


def add_working_days(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Add working days as the administrative-procedure rules count them."""
    return np.busday_offset(dates, days, roll="forward", holidays=HOLIDAYS)


def years_between(earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Whole years completed between two date arrays (age on a date)."""
    e = pd.DatetimeIndex(earlier)
    l = pd.DatetimeIndex(later)
    before_birthday = (l.month < e.month) | ((l.month == e.month) & (l.day < e.day))
    return (l.year - e.year - before_birthday).to_numpy()
