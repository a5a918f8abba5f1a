"""Read a raw CSV extract exactly as a department delivered it, as strings, with source line numbers."""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scripts.build.read.source_file import ExtractError, read_source

__all__ = ["ExtractError", "RawTable", "read_csv"]


@dataclass
class RawTable:
    """The cells of one source file as text, with the file line on which each record starts."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame
    lines: pd.Series
    notes: list[str] = field(default_factory=list)


def _as_utf8(path: Path, data: bytes, notes: list[str]) -> bytes:
    """The file as UTF-8 bytes: a UTF-16 file (Excel's "Unicode text") is re-encoded and reported."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append(f"{path}: decoded from UTF-16 (byte-order mark found)")
        return data.decode("utf-16").encode("utf-8")
    return data


def _strict_utf8(path: Path, data: bytes) -> None:
    """Raise with the line and column of the first byte that is not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ExtractError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{data[error.start]:02x}){_legacy_hint(data)}; "
            "save the file as 'CSV UTF-8' in Excel"
        ) from None


def _legacy_hint(data: bytes) -> str:
    """Name the legacy Vietnamese encoding the bytes look like, when one decodes to Vietnamese text."""
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        return ""
    # Windows-1258 writes tones as combining marks after the vowel: common in Vietnamese, rare elsewhere.
    tones = sum(text.count(mark) for mark in "\u0300\u0301\u0303\u0309\u0323")
    return "; it looks like Windows-1258 (the legacy Vietnamese code page)" if tones else ""


def _layout(path: Path, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Find each record's first line and field count with array operations, header included.

    A newline or comma separates records or fields only outside quotes, that is where an even number of
    quote characters precedes it (an escaped quote inside a quoted cell adds two). Working on the bytes keeps
    this cheap at province scale: the delimiters are ASCII, so UTF-8 never hides one inside a character.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(array == ord('"'))
    if len(quotes) % 2:
        # The last quote opens a cell that never closes: everything after it would be read as one value.
        opened = int(quotes[-1])
        line, column = data.count(b"\n", 0, opened) + 1, opened - (data.rfind(b"\n", 0, opened) + 1) + 1
        raise ExtractError(f"{path}:{line}:{column}: a quoted value is never closed (the file may be truncated)")

    all_newlines = np.flatnonzero(array == ord("\n"))
    # Quotes pair up into quoted spans; a newline inside a span is part of a value, not a record break.
    ends = all_newlines[np.searchsorted(quotes, all_newlines) % 2 == 0] if len(quotes) else all_newlines
    if not len(ends) or ends[-1] != len(array) - 1:
        ends = np.append(ends, len(array))  # the last record has no final newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts - (array[np.maximum(ends - 1, 0)] == ord("\r"))
    commas = _separators(np.flatnonzero(array == ord(",")), quotes, ends)
    non_blank = np.flatnonzero(lengths > 0)
    first_lines = np.searchsorted(all_newlines, starts[non_blank]) + 1
    return first_lines, commas[non_blank] + 1


def _separators(commas: np.ndarray, quotes: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Commas per record outside quoted spans: all commas per record, less those inside each span.

    Searching the few record ends and span bounds among the many commas, rather than each comma among them,
    keeps a province-scale file to a few passes over small arrays.
    """
    per_record = np.diff(np.searchsorted(commas, ends), prepend=0)
    if len(quotes):
        opens, closes = quotes[0::2], quotes[1::2]
        inside = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
        per_record = per_record - np.bincount(np.searchsorted(ends, opens), weights=inside, minlength=len(ends))
    return per_record.astype(np.int64)


def _check_layout(path: Path, data: bytes) -> pd.Series:
    """Return each data record's starting line, failing on records with missing or extra fields."""
    starts, fields = _layout(path, data)
    header_count, starts, fields = fields[0], starts[1:], fields[1:]
    if not len(starts):
        # Checked here, before the parser, which has no line to name (pandas' EmptyDataError).
        cut = "" if data.endswith(b"\n") else " (it ends inside the header row: the file may be truncated)"
        raise ExtractError(f"{path}:2:1: the file has a header but no data rows{cut}; deliver the whole file")
    wrong = np.flatnonzero(fields != header_count)
    if len(wrong):
        row = int(wrong[0])
        hint = " (the file may be truncated)" if row == len(fields) - 1 else ""
        raise ExtractError(
            f"{path}:{starts[row]}:1: the record has {fields[row]} fields but the header has {header_count}{hint}"
        )
    return pd.Series(starts)


def _parse(path: Path, data: bytes) -> pd.DataFrame:
    """Parse UTF-8 CSV bytes with Arrow's multi-threaded reader into Arrow-backed strings."""
    try:
        return pd.read_csv(io.BytesIO(data), engine="pyarrow", dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ExtractError(f"{path}:1:1: no column names on line 1 (the file may be truncated)") from None
    except pd.errors.ParserError as error:
        if "invalid UTF8" in str(error):
            _strict_utf8(path, data)  # raises with the line and column of the first bad byte
        # Arrow's message goes on to quote the offending record, which may hold personal data: cut it there.
        summary = re.match(r"(.*?)(?::\s|$)", str(error).removeprefix("CSV parse error: ")).group(1)
        raise ExtractError(f"{path}: malformed CSV: {summary} (record not shown)") from None


def _refuse_nul(path: Path, data: bytes, frame: pd.DataFrame, lines: pd.Series) -> None:
    """Fail at the first value holding a NUL byte: no text has one, and SQLite would cut the value there."""
    if b"\0" not in data:
        return  # one scan of the bytes; the cells are searched only when there is something to find
    for column, name in enumerate(frame.columns, start=1):
        if "\0" in name:
            raise ExtractError(
                f"{path}:1:{column}: a NUL byte in the column name; remove it and deliver the file again"
            )
    for column, name in enumerate(frame.columns, start=1):
        holding = np.flatnonzero(frame[name].str.contains("\0", regex=False).to_numpy(dtype=bool, na_value=False))
        if len(holding):
            raise ExtractError(
                f"{path}:{lines.iloc[holding[0]]}:{column}: a NUL byte in the value of column {column} "
                "(value not shown); remove it (the file may be damaged) and deliver the file again"
            )


def read_csv(path: Path, max_bytes: int | None = None) -> RawTable:
    """Read a CSV file into a frame of stripped strings; empty cells become empty strings.

    `max_bytes`: the dataset's own size limit (scripts/build/read/source_file.py says which applies without one).
    """
    data = read_source(path, max_bytes)
    notes: list[str] = []
    data = _as_utf8(path, data, notes)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise ExtractError(f"{path}:1:1: the file is empty")
    lines = _check_layout(path, data)
    frame = _parse(path, data)
    if frame.empty:
        raise ExtractError(f"{path}:2:1: the file has a header but no data rows")
    if len(lines) != len(frame):
        raise ExtractError(f"{path}: found {len(lines)} records where the CSV parser found {len(frame)}")
    _refuse_nul(path, data, frame, lines)
    headers = [str(h).strip() for h in frame.columns]
    frame.columns = headers
    frame = frame.apply(lambda column: column.str.strip())
    return RawTable(path=path, headers=headers, frame=frame.reset_index(drop=True), lines=lines, notes=notes)
