"""Read a raw CSV extract exactly as a department delivered it, as strings, with source line numbers."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


class ExtractError(Exception):
    """A source file cannot be read; the message names the file and, where known, line and column."""


@dataclass
class RawTable:
    """The cells of one source file as text, with the file line on which each record starts."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame
    lines: pd.Series
    notes: list[str] = field(default_factory=list)


def _decode(path: Path, data: bytes, notes: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _strict_utf8(path, data[len(codecs.BOM_UTF8) :])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append(f"{path}: decoded from UTF-16 (byte-order mark found)")
        return data.decode("utf-16")
    return _strict_utf8(path, data)


def _strict_utf8(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ExtractError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{data[error.start]:02x}); "
            "save the file as 'CSV UTF-8' (a legacy Vietnamese code page such as Windows-1258 or TCVN3 is not accepted)"
        ) from None


def _layout_without_quotes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Find each record's line and field count with array operations (files without quoted cells)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    line_of = lambda positions: np.searchsorted(newlines, positions)  # noqa: E731  0-based line index
    line_count = len(newlines) + (0 if text.endswith("\n") else 1)
    commas = np.bincount(line_of(np.flatnonzero(data == ord(","))), minlength=line_count)
    starts = np.concatenate(([0], newlines + 1))[:line_count]
    ends = np.concatenate((newlines, [len(data)]))[:line_count]
    lengths = ends - starts - (data[np.maximum(ends - 1, 0)] == ord("\r"))
    non_blank = np.flatnonzero(lengths > 0)
    records = non_blank[1:]  # the first non-blank line is the header
    return records + 1, commas[records] + 1


def _layout_with_quotes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Find each record's first line and field count when quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    starts, fields = [], []
    previous_end = reader.line_num
    for row in reader:
        if row:  # pandas skips blank lines too
            starts.append(previous_end + 1)
            fields.append(len(row))
        previous_end = reader.line_num
    return np.array(starts, dtype=np.int64), np.array(fields, dtype=np.int64)


def _check_layout(path: Path, text: str, header_count: int, records: int) -> pd.Series:
    """Return each record's starting line, failing on records with missing or extra fields."""
    layout = _layout_with_quotes if '"' in text else _layout_without_quotes
    starts, fields = layout(text)
    wrong = np.flatnonzero(fields != header_count)
    if len(wrong):
        row = int(wrong[0])
        hint = " (the file may be truncated)" if row == len(fields) - 1 else ""
        raise ExtractError(
            f"{path}:{starts[row]}:1: the record has {fields[row]} fields but the header has {header_count}{hint}"
        )
    if len(starts) != records:
        raise ExtractError(f"{path}: found {len(starts)} records where the CSV parser found {records}")
    return pd.Series(starts)


def read_csv(path: Path) -> RawTable:
    """Read a CSV file into a frame of stripped strings; empty cells become empty strings."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{path}: source file not found") from None
    notes: list[str] = []
    text = _decode(path, data, notes)
    if not text.strip():
        raise ExtractError(f"{path}:1:1: the file is empty")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        raise ExtractError(f"{path}:1:1: the file has no header") from None
    except pd.errors.ParserError as error:
        raise ExtractError(f"{path}: malformed CSV: {error}") from None
    if frame.empty:
        raise ExtractError(f"{path}:2:1: the file has a header but no data rows")
    headers = [str(h).strip() for h in frame.columns]
    frame.columns = headers
    lines = _check_layout(path, text, len(headers), len(frame))
    frame = frame.apply(lambda column: column.str.strip())
    return RawTable(path=path, headers=headers, frame=frame.reset_index(drop=True), lines=lines, notes=notes)
