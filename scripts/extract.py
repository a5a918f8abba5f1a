"""Read a raw CSV extract exactly as a department delivered it, as strings, with source line numbers."""

from __future__ import annotations

import codecs
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


def _layout(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Find each record's first line and field count with array operations.

    A newline or comma separates records or fields only outside quotes, that is where an even number of
    quote characters precedes it (an escaped quote inside a quoted cell adds two).
    """
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    quotes = np.flatnonzero(data == ord('"'))

    def structural(positions: np.ndarray) -> np.ndarray:
        return positions if not len(quotes) else positions[np.searchsorted(quotes, positions) % 2 == 0]

    all_newlines = np.flatnonzero(data == ord("\n"))
    ends = structural(all_newlines)
    if not len(ends) or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))  # the last record has no final newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts - (data[np.maximum(ends - 1, 0)] == ord("\r"))
    commas = np.bincount(np.searchsorted(ends, structural(np.flatnonzero(data == ord(",")))), minlength=len(ends))
    non_blank = np.flatnonzero(lengths > 0)[1:]  # the first non-blank record is the header
    first_lines = np.searchsorted(all_newlines, starts[non_blank]) + 1
    return first_lines, commas[non_blank] + 1


def _check_layout(path: Path, text: str, header_count: int, records: int) -> pd.Series:
    """Return each record's starting line, failing on records with missing or extra fields."""
    starts, fields = _layout(text)
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
