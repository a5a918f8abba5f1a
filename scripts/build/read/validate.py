"""Check a raw extract against its spec and convert it to typed, published column names."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scripts.build.masking import shape
from scripts.build.read.extract import RawTable
from scripts.build.spec.manifest import Column, Spec

# How many problems to print per column before summarising: a bad column must not print a million lines.
MAX_PROBLEMS_PER_COLUMN = 5
MASKED = " (value masked: personal data; see the file at this line)"

TRUE_WORDS = {"có", "co", "x", "1", "true", "yes", "đúng"}
FALSE_WORDS = {"không", "khong", "", "0", "false", "no", "sai"}
THOUSANDS = r"^-?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$"


@dataclass
class Problem:
    """One reason a source cannot be published, located in the file."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass
class Checked:
    """The typed frame, the repairs applied to get it and the problems that block it."""

    frame: pd.DataFrame | None
    repairs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Column:
    """Collects the problems and repairs of one source column.

    Parsers see each distinct value once (`values`, with `codes` mapping every row to its value): a column of
    1.6 million birth dates holds some 30,000 distinct ones. Masks over distinct values are spread back to rows
    before problems and repairs are counted and located.
    """

    def __init__(self, raw: RawTable, column: Column, position: int, result: Checked, codes: np.ndarray):
        self.raw, self.column, self.position, self.result, self.codes = raw, column, position, result, codes

    def rows(self, mask: pd.Series) -> pd.Series:
        """A mask over the distinct values, as a mask over the rows."""
        return pd.Series(mask.to_numpy(dtype=bool, na_value=False)[self.codes], index=self.raw.frame.index)

    def fail(self, mask: pd.Series, explain) -> None:
        mask = self.rows(mask)
        bad = mask[mask].index
        # A value of a personal column is shown by its shape only: messages reach terminals and logs.
        personal = self.column.role != "attribute"
        for index in bad[:MAX_PROBLEMS_PER_COLUMN]:
            value = self.raw.frame.at[index, self.column.header]
            shown = explain(shape(value)) + MASKED if personal else explain(value)
            message = f"column '{self.column.header}' ({self.column.name}): {shown}"
            self.result.problems.append(Problem(str(self.raw.path), int(self.raw.lines[index]), self.position, message))
        if len(bad) > MAX_PROBLEMS_PER_COLUMN:
            first = int(self.raw.lines[bad[0]])
            self.result.problems.append(
                Problem(
                    str(self.raw.path),
                    first,
                    self.position,
                    f"column '{self.column.header}': {len(bad) - MAX_PROBLEMS_PER_COLUMN} more values like these",
                )
            )

    def repaired(self, mask: pd.Series, what: str) -> None:
        mask = self.rows(mask)
        count = int(mask.sum())
        if count:
            first = int(self.raw.lines[mask[mask].index[0]])
            self.result.repairs.append(
                f"{self.raw.path}:{first}:{self.position}: column '{self.column.header}': {what} in {count} value(s)"
            )


def _parse_text(values: pd.Series, col: _Column) -> pd.Series:
    return values.where(values != "", None)


def _parse_code(values: pd.Series, col: _Column) -> pd.Series:
    width = col.column.width
    present = values != ""
    col.fail(present & ~values.str.fullmatch(r"\d+"), lambda v: f"'{v}' is not a code of digits")
    col.fail(present & (values.str.len() > width), lambda v: f"'{v}' is longer than {width} digits")
    col.repaired(present & values.str.fullmatch(r"\d+") & (values.str.len() < width), "restored leading zeros")
    return values.str.zfill(width).where(present, None)


def _parse_integer(values: pd.Series, col: _Column) -> pd.Series:
    present = values != ""
    grouped = values.str.fullmatch(THOUSANDS) & ~values.str.fullmatch(r"-?\d+")
    col.repaired(present & grouped, "removed thousands separators")
    digits = values.where(~grouped, values.str.replace(r"[.,\s]", "", regex=True))
    col.fail(present & ~digits.str.fullmatch(r"-?\d+"), lambda v: f"'{v}' is not a whole number")
    return pd.to_numeric(digits.where(present & digits.str.fullmatch(r"-?\d+"), None), errors="coerce").astype("Int64")


def _parse_number(values: pd.Series, col: _Column) -> pd.Series:
    present = values != ""
    comma = values.str.fullmatch(r"-?\d+,\d+")
    col.repaired(present & comma, "read the decimal comma as a decimal point")
    normal = values.where(~comma, values.str.replace(",", ".", regex=False))
    valid = normal.str.fullmatch(r"-?\d+(\.\d+)?")
    col.fail(present & ~valid, lambda v: f"'{v}' is not a number")
    return pd.to_numeric(normal.where(present & valid, None), errors="coerce").astype("Float64")


def _parse_date(values: pd.Series, col: _Column) -> pd.Series:
    present = values != ""
    day_first = values.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")
    iso = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    parts = values.where(day_first, "").str.split("/", expand=True).reindex(columns=[0, 1, 2], fill_value="")
    as_iso = (parts[2] + "-" + parts[1].str.zfill(2) + "-" + parts[0].str.zfill(2)).where(day_first, values)
    parsed = pd.to_datetime(as_iso.where(day_first | iso, None), format="%Y-%m-%d", errors="coerce")
    col.fail(
        present & parsed.isna(),
        lambda v: f"'{v}' is not a valid date (expected dd/mm/yyyy)",
    )
    return parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)


def _parse_boolean(values: pd.Series, col: _Column) -> pd.Series:
    lowered = values.str.lower()
    truth = lowered.isin(TRUE_WORDS)
    col.fail(~truth & ~lowered.isin(FALSE_WORDS), lambda v: f"'{v}' is not yes/no (expected Có or Không)")
    return truth.astype("Int64")


PARSERS = {
    "text": _parse_text,
    "code": _parse_code,
    "integer": _parse_integer,
    "number": _parse_number,
    "date": _parse_date,
    "boolean": _parse_boolean,
}


def _check_headers(raw: RawTable, spec: Spec, result: Checked) -> None:
    expected = [c.header for c in spec.columns]
    missing = [h for h in expected if h not in raw.headers]
    unknown = [h for h in raw.headers if h not in expected]
    if len(unknown) > len(raw.headers) / 2:
        # Most names unknown: line 1 is probably a record (the header row is missing), so none is quoted.
        result.problems.append(
            Problem(
                str(raw.path),
                1,
                1,
                f"{len(unknown)} of the {len(raw.headers)} column names on line 1 are not in the "
                "spec: is the header row missing? (names not shown: line 1 may hold personal data)",
            )
        )
        return
    for position, header in enumerate(raw.headers, start=1):
        if header in expected:
            continue
        if any(c.isdigit() or c == "@" for c in header):
            header = shape(header)  # a number or an address where a column name belongs: never quoted
        guess = difflib.get_close_matches(header, missing, n=1, cutoff=0.5)
        hint = f"; was '{guess[0]}' renamed?" if guess else ""
        result.problems.append(
            Problem(str(raw.path), 1, position, f"column '{header}' is not declared in the spec{hint}")
        )
    for header in missing:
        result.problems.append(Problem(str(raw.path), 1, 1, f"column '{header}' required by the spec is missing"))


def _check_primary_key(raw: RawTable, spec: Spec, typed: pd.DataFrame, result: Checked) -> None:
    key = spec.primary_key
    duplicated = typed.duplicated(subset=key, keep=False) & typed[key].notna().all(axis=1)
    if duplicated.any():
        rows = duplicated[duplicated].index
        lines = ", ".join(str(int(raw.lines[i])) for i in rows[:MAX_PROBLEMS_PER_COLUMN])
        first = spec.column(key[0])
        position = raw.headers.index(first.header) + 1
        result.problems.append(
            Problem(str(raw.path), int(raw.lines[rows[0]]), position, f"duplicate primary key {key} on lines {lines}")
        )


def validate(raw: RawTable, spec: Spec) -> Checked:
    """Type every column of `raw` by the spec; problems are collected, never raised."""
    result = Checked(frame=None, repairs=list(raw.notes))
    _check_headers(raw, spec, result)
    if result.problems:
        return result
    typed = {}
    key = set(spec.primary_key)
    for column in spec.columns:
        position = raw.headers.index(column.header) + 1
        codes, distinct = pd.factorize(raw.frame[column.header])
        values = pd.Series(distinct, dtype=raw.frame[column.header].dtype)
        state = _Column(raw, column, position, result, codes)
        if column.required or column.name in key:
            state.fail(values == "", lambda v: "a value is required")
        parsed = PARSERS[column.type](values, state)
        typed[column.name] = parsed.take(codes).reset_index(drop=True)
    frame = pd.DataFrame(typed)
    _check_primary_key(raw, spec, frame, result)
    if not result.problems:
        result.frame = frame
    return result
