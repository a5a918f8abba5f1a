"""The small, unambiguously repairable blemishes that real spreadsheet exports carry."""

import numpy as np


def pick(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """Choose which rows get a blemish."""
    return rng.random(size) < rate


def spaces(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Surround chosen non-empty cells with spaces, as copy-pasted cells often are."""
    out = values.copy()
    hit = mask & (values != "")
    out[hit] = " " + values[hit] + " "
    return out


def lost_zeros(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Drop leading zeros of chosen codes, as Excel does when it reads a code as a number."""
    out = values.copy()
    hit = mask & (values != "")
    if hit.any():
        out[hit] = np.char.lstrip(values[hit].astype(str), "0").astype(object)
    return out


def thousands(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Render integers, with a dot between thousands in chosen cells (Vietnamese number format)."""
    values = np.asarray(values, dtype=np.int64)
    out = values.astype(str).astype(object)
    hit = mask & (values >= 1000)
    if hit.any():
        big = values[hit]
        millions, rest = np.divmod(big, 1_000_000)
        thousand, units = np.divmod(rest, 1000)
        head = np.where(millions > 0, millions.astype(str).astype(object) + ".", "")
        mid = np.where(
            millions > 0,
            np.char.zfill(thousand.astype(str), 3).astype(object),
            thousand.astype(str).astype(object),
        )
        out[hit] = head + mid + "." + np.char.zfill(units.astype(str), 3).astype(object)
    return out
