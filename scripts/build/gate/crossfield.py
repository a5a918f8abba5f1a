"""The sex and birth year each row states, to confirm a number whose digits encode the same."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scripts.build.gate.context import snake

_SEX_COLUMNS = ["gioi_tinh", "gioitinh", "sex", "gender", "phai"]
_BIRTH_COLUMNS = [
    "nam_sinh",
    "namsinh",
    "birth_year",
    "year_of_birth",
    "ngay_sinh",
    "ngaysinh",
    "birth_date",
    "date_of_birth",
    "dob",
]
_MALE = {"nam", "male", "m", "trai"}
_FEMALE = {"nu", "nữ", "female", "f", "gai", "gái"}


@dataclass(frozen=True)
class People:
    """Per row: 1.0 male, 0.0 female, NaN unknown; and the birth year or NaN."""

    male: np.ndarray
    year: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> People | None:
        """The rows' sex and birth year, or None when the frame lacks either column."""
        sex = _column(frame, _SEX_COLUMNS)
        birth = _column(frame, _BIRTH_COLUMNS)
        if sex is None or birth is None:
            return None
        words = sex.astype("str").str.strip().str.casefold()
        male = np.where(words.isin(_MALE), 1.0, np.where(words.isin(_FEMALE), 0.0, np.nan))
        if pd.api.types.is_datetime64_any_dtype(birth):
            year = birth.dt.year.to_numpy(dtype=float, na_value=np.nan)
        else:
            extracted = birth.astype("str").str.extract(r"((?:19|20)\d{2})", expand=False)
            year = pd.to_numeric(extracted, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return cls(male, year)

    def agrees(self, rows: np.ndarray, male: np.ndarray, year: np.ndarray) -> np.ndarray:
        """Which of the rows state exactly the given sex and birth year."""
        return (self.male[rows] == male) & (self.year[rows] == year)


def _column(frame: pd.DataFrame, names: list[str]) -> pd.Series | None:
    for position, column in enumerate(frame.columns):
        if snake(str(column)) in names:
            return frame.iloc[:, position]
    return None
