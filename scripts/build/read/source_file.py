"""Open a delivered source file safely: a regular file of a sane size whose first bytes look like text.

Each check runs before the file is read as a whole, so that a wrong file (a link to somewhere else, a directory,
a disk image, a half-copied file full of zeros) fails in one line instead of filling memory or being published.
None of its bytes are ever quoted: a line of a source file may be personal data.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

LIMIT_VARIABLE = "PORTAL_MAX_SOURCE_BYTES"
# The province's largest extract is under 200 MiB; a file several times that is the wrong file, and reading it
# would take twice its size in memory (the bytes and the parsed table).
DEFAULT_MAX_BYTES = 512 * 1024**2
HEAD_BYTES = 4096


class ExtractError(Exception):
    """A source file cannot be read; the message names the file and, where known, line and column."""


def size_limit(max_bytes: int | None = None) -> int:
    """The dataset's own limit (manifest `source.max_bytes`), else PORTAL_MAX_SOURCE_BYTES, else the default."""
    if max_bytes is not None:
        return max_bytes
    value = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    if not value.isdigit() or int(value) < 1:
        raise ExtractError(
            f"{LIMIT_VARIABLE} must be a whole number of bytes (e.g. 1073741824 for 1 GiB); correct or unset it"
        )
    return int(value)


def read_source(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, refused when it is a link, not a file, too large or not text."""
    limit = size_limit(max_bytes)
    try:
        # O_NOFOLLOW: a link is refused rather than followed, so nothing outside data/ is ever read or quoted;
        # O_NONBLOCK: a named pipe is refused below rather than waited on.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ExtractError(f"{path}: source file not found") from None
    except OSError as error:
        raise ExtractError(_not_openable(path, error)) from None
    try:
        _check_kind_and_size(path, os.fstat(descriptor), limit)
        _check_head(path, os.pread(descriptor, HEAD_BYTES, 0))
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read(limit)  # never more than the limit, even if the file grows meanwhile
    finally:
        os.close(descriptor)


def _check_kind_and_size(path: Path, info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ExtractError(
            f"{path}: a directory, not a file; point the manifest's 'source.files' at the CSV file inside it"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ExtractError(
            f"{path}: not a regular file (a device, pipe or socket); put the delivered CSV file itself at this path"
        )
    if info.st_size > limit:
        raise ExtractError(
            f"{path}: {info.st_size:,} bytes, above the limit of {limit:,} bytes for a source file; check that "
            f"it is the right file, or raise the limit with 'max_bytes' under the dataset's 'source' in "
            f"data/manifest.yml (or {LIMIT_VARIABLE} for every dataset)"
        )


def _not_openable(path: Path, error: OSError) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        mode = 0
    if stat.S_ISLNK(mode):
        return (
            f"{path}: a symbolic link, which the build does not follow; copy the delivered file itself into "
            "data/raw/ in its place"
        )
    return f"{path}: cannot be opened ({error.strerror}); check the path and its permissions"


def _check_head(path: Path, head: bytes) -> None:
    """Refuse, from the first bytes only, a file of zeros and UTF-16 text without a byte-order mark."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" not in head:
        return
    if not head.strip(b"\0"):
        raise ExtractError(
            f"{path}: begins with {len(head):,} NUL bytes, not text (a damaged or half-copied "
            "file?); deliver the file again"
        )
    # UTF-16 writes each ASCII character (letters, digits, commas, newlines) as the character and a zero byte.
    # A stray zero or a run of zeros has them at both positions; a few zeros prove nothing.
    high, low = sorted((head[0::2].count(0), head[1::2].count(0)), reverse=True)
    if high >= max(8, len(head) // 8) and low <= high / 4:
        raise ExtractError(
            f"{path}: looks like UTF-16 without a byte-order mark (a zero byte beside most "
            "characters); save it as UTF-8 ('CSV UTF-8' in Excel)"
        )
