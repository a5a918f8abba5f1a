"""A column's distinct values as text, with a code per row, so each value is scanned once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Python-backed strings whatever pandas' default storage: the detectors need `re` (lookbehinds), not RE2.
TEXT = pd.StringDtype("python", na_value=np.nan)

# Integers below this have at most 7 digits and cannot be any identifier, even with a lost leading zero.
_SMALLEST_ID = 10**7
# Floats are exact integers only up to 2**53; beyond this bound they cannot even be cast to an integer type.
_LARGEST_ID = 5 * 10**18


@dataclass(frozen=True)
class Distinct:
    """codes[row] indexes texts (-1 for a missing or unscannable cell); numeric says no text can hide in them."""

    codes: np.ndarray
    texts: pd.Series
    numeric: bool


def distinct_texts(series: pd.Series, *, every_number: bool = False) -> Distinct | None:
    """The column's distinct values as text, or None when the column's type cannot hold personal data.

    Numbers too short to be an identifier are left out unless `every_number` asks for them (a number may be
    part of one written across two columns)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    if pd.api.types.is_timedelta64_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return None
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        return _distinct_numbers(series, 0 if every_number else _SMALLEST_ID)
    codes, uniques = pd.factorize(series)
    values = np.asarray(uniques, dtype=object)
    if pd.api.types.is_string_dtype(uniques.dtype) and uniques.dtype != object:
        texts = pd.Series(values, dtype=TEXT)
    else:
        texts = pd.Series([_as_text(v) for v in values], dtype=TEXT).dropna()
    return Distinct(codes, texts, numeric=False)


def _distinct_numbers(series: pd.Series, smallest: int) -> Distinct:
    """Whole numbers from `smallest` on, as digit strings; every other cell gets code -1."""
    values = series.to_numpy(dtype="float64", na_value=np.nan) if series.hasnans else series.to_numpy()
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (values >= smallest) & (values < _LARGEST_ID)
        whole[whole] = np.floor(values[whole]) == values[whole]
        keep = np.flatnonzero(whole)
        kept = values[keep].astype(np.uint64)
    else:
        keep = np.flatnonzero(values >= smallest)
        kept = values[keep]
    codes = np.full(len(values), -1, dtype=np.intp)
    if not keep.size:
        return Distinct(codes, pd.Series([], dtype=TEXT), numeric=True)
    sub_codes, uniques = pd.factorize(kept)
    codes[keep] = sub_codes
    return Distinct(codes, pd.Series([str(v) for v in uniques.tolist()], dtype=TEXT), numeric=True)


def _as_text(value: object) -> str | None:
    """The text a value of a mixed-type column is published as; None for values that cannot be personal data."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (float, np.floating)):
        # Spreadsheet numbers come back as floats: 912345678.0 is the digits 912345678.
        return str(int(value)) if np.isfinite(value) and float(value).is_integer() else None
    return str(value)
