"""Generalisations of quasi-identifiers: named, vectorised functions from a column to a coarser column.

Each takes a column (and optionally `at`, a column of reference dates) and returns text with missing
values kept missing. Labels are computed once per distinct value, so a million rows cost one date parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

# The sample's report date. Ages are taken at this date unless a spec names a date column instead.
REFERENCE_DATE = pd.Timestamp("2024-06-30")
TOP_CODED_AGE = 90
WHOLE_PROVINCE = "Toàn tỉnh"
# A missing value of a grouping column is published as its own category rather than dropped.
UNKNOWN = "Không rõ"
# Pairs (finer, coarser) of generalisers whose categories nest: each finer category lies inside one coarser one.
NESTED = {
    ("month", "quarter"),
    ("month", "year"),
    ("quarter", "year"),
    ("age_band_5y", "age_band_10y"),
    ("age_band_5y", "age_band_20y"),
    ("age_band_10y", "age_band_20y"),
}


def _dates(values: pd.Series) -> pd.Series:
    """ISO `yyyy-mm-dd` text or datetimes as datetimes; anything else becomes missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _labelled(keys: pd.Series, label: Callable[[int], str]) -> pd.Series:
    """Text labels of integer keys, formatting each distinct key once; missing keys stay missing."""
    codes, uniques = pd.factorize(keys)
    labels = np.array([label(int(u)) for u in uniques] + [None], dtype=object)
    return pd.Series(labels[codes], index=keys.index, dtype="string")


def age_in_years(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Completed years between birth and `at` (the reference date when `at` is None)."""
    born = _dates(birth)
    when = _dates(at) if at is not None else pd.Series(REFERENCE_DATE, index=birth.index)
    before_birthday = (when.dt.month * 100 + when.dt.day) < (born.dt.month * 100 + born.dt.day)
    return (when.dt.year - born.dt.year - before_birthday.astype("Int64")).astype("Int64")


def band_label(low: int, high: int | None) -> str:
    """An age band as published: `05-09`, `90+`. Two digits each side, so that sorting the text (Datasette's pages
    and facets, SQL, spreadsheets) puts `05-09` before `45-49`, as the ages go."""
    return f"{low:02d}+" if high is None else f"{low:02d}-{high:02d}"


def unpadded_band(label: str) -> str | None:
    """The band a release before zero-padding wrote as `5-9`, as published now (`05-09`); None for anything else."""
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", label)
    return band_label(int(match[1]), int(match[2])) if match else None


def _age_band(width: int):
    def band(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
        age = age_in_years(birth, at)
        if (age < 0).any():
            raise ValueError("birth dates after the date the age is taken at")
        low = ((age // width) * width).mask((age >= TOP_CODED_AGE).fillna(False), TOP_CODED_AGE)
        top = TOP_CODED_AGE - 1
        return _labelled(low, lambda a: band_label(a, None if a == TOP_CODED_AGE else min(a + width - 1, top)))

    band.__name__ = f"age_band_{width}y"
    band.__doc__ = f"{width}-year age band at the reference date or at `at`; {TOP_CODED_AGE} and over top-coded."
    return band


def birth_year(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Year of birth."""
    return _labelled(_dates(birth).dt.year, str)


def month(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy-mm` of a date."""
    parsed = _dates(dates)
    return _labelled(parsed.dt.year * 100 + parsed.dt.month, lambda k: f"{k // 100:04d}-{k % 100:02d}")


def quarter(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy-Qn` of a date."""
    parsed = _dates(dates)
    return _labelled(parsed.dt.year * 10 + parsed.dt.quarter, lambda k: f"{k // 10:04d}-Q{k % 10}")


def year(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy` of a date."""
    return birth_year(dates)


def identity(values: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """The value unchanged, as text: the least general level of a hierarchy."""
    return values.astype("string")


def whole_province(values: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Every value replaced by the province: the most general level of an area hierarchy."""
    return pd.Series(WHOLE_PROVINCE, index=values.index, dtype="string").where(values.notna(), pd.NA)


def to_area(values: pd.Series, mapping: Mapping, at: pd.Series | None = None) -> pd.Series:
    """Each code replaced by the larger area the mapping gives it (commune to district, say)."""
    areas = values.map(mapping)
    unmapped = values.notna() & areas.isna()
    if unmapped.any():
        raise ValueError(f"codes with no area in the mapping: {sorted(map(str, values[unmapped].unique()))[:5]}")
    return areas.astype("string")


GENERALISERS = {
    "identity": identity,
    "birth_year": birth_year,
    "age_band_5y": _age_band(5),
    "age_band_10y": _age_band(10),
    "age_band_20y": _age_band(20),
    "month": month,
    "quarter": quarter,
    "year": year,
    "whole_province": whole_province,
}

# Generalisers whose categories have an order of their own, which their published text sorts in (band_label).
ORDERED = {"age_band_5y", "age_band_10y", "age_band_20y", "birth_year", "month", "quarter", "year"}


def coarsen(label: str, fine: str, coarse: str, groups: dict | None = None) -> str:
    """A category of a finer level as the category of a coarser level that contains it."""
    if label == UNKNOWN:
        return UNKNOWN
    if coarse == "whole_province":
        return WHOLE_PROVINCE
    if groups is not None:
        label = groups.get(label, label)
    if fine == coarse:
        return label
    if fine == "month":
        year, month = label.split("-")
        return f"{year}-Q{(int(month) - 1) // 3 + 1}" if coarse == "quarter" else year
    if fine == "quarter":
        return label[:4]
    if label.endswith("+"):
        return label
    width = int(coarse.removeprefix("age_band_").removesuffix("y"))
    low = int(label.split("-")[0]) // width * width
    return band_label(low, min(low + width - 1, TOP_CODED_AGE - 1))
