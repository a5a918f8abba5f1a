"""Generalisations of quasi-identifiers: named, vectorised functions from a column to a coarser column."""

from __future__ import annotations

import pandas as pd

# The sample's report date. Ages are taken at this date unless a spec names a date column instead.
REFERENCE_DATE = pd.Timestamp("2024-06-30")
TOP_CODED_AGE = 90
WHOLE_PROVINCE = "Toàn tỉnh"


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _text(values: pd.Series, mask: pd.Series) -> pd.Series:
    return values.astype("string").where(mask, pd.NA)


def age_in_years(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Completed years between birth and `at` (the reference date when `at` is None)."""
    born = _dates(birth)
    when = _dates(at) if at is not None else pd.Series(REFERENCE_DATE, index=birth.index)
    before_birthday = (when.dt.month < born.dt.month) | (
        (when.dt.month == born.dt.month) & (when.dt.day < born.dt.day)
    )
    return (when.dt.year - born.dt.year - before_birthday.astype("Int64")).astype("Int64")


def _age_band(width: int):
    def band(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
        age = age_in_years(birth, at)
        low = (age // width) * width
        labels = low.astype("string") + "-" + (low + width - 1).astype("string")
        labels = labels.where(age < TOP_CODED_AGE, f"{TOP_CODED_AGE}+")
        return _text(labels, age.notna())

    band.__doc__ = f"{width}-year age band at the reference date or at `at`; {TOP_CODED_AGE} and over top-coded."
    return band


def birth_year(birth: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Year of birth."""
    born = _dates(birth)
    return _text(born.dt.year.astype("Int64").astype("string"), born.notna())


def month(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy-mm` of a date."""
    parsed = _dates(dates)
    return _text(parsed.dt.strftime("%Y-%m"), parsed.notna())


def quarter(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy-Qn` of a date."""
    parsed = _dates(dates)
    labels = parsed.dt.year.astype("Int64").astype("string") + "-Q" + parsed.dt.quarter.astype("Int64").astype("string")
    return _text(labels, parsed.notna())


def year(dates: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """`yyyy` of a date."""
    return birth_year(dates)


def identity(values: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """The value unchanged, as text: the least general level of a hierarchy."""
    return values.astype("string")


def whole_province(values: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Every value replaced by the province: the most general level of an area hierarchy."""
    return _text(pd.Series(WHOLE_PROVINCE, index=values.index), values.notna())


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
