"""Keyed draws for record tables: which persons a sample holds, and the order its rows are written in.

Both come from a secret that changes with every build, so neither can be reproduced from anything published
(the dataset id, the population size, the order of the source file) nor matched between two releases.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def identities(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One text per record naming whom it is about: the key columns, joined by a separator no value holds."""
    if len(columns) == 1:
        return rows[columns[0]].astype("string").fillna("")
    return rows[columns].astype("string").fillna("").agg("\x1f".join, axis=1)


def keyed_hashes(values: pd.Series, secret: bytes) -> np.ndarray:
    """Keyed BLAKE2b (a MAC by design) of each value's UTF-8 text, as unsigned 64-bit numbers.

    One keyed state copied per value: a third faster than HMAC-SHA256, which matters for a province's residents.
    """
    keyed = hashlib.blake2b(key=secret, digest_size=8)

    def digest(text: str) -> bytes:
        state = keyed.copy()
        state.update(text.encode("utf-8"))
        return state.digest()

    return np.frombuffer(b"".join(map(digest, values.tolist())), dtype=">u8")


def keyed_sample(rows: pd.DataFrame, who: pd.Series, fraction: float, secret: bytes) -> pd.DataFrame:
    """The rows whose person's keyed hash, read as a number in [0, 1), falls below `fraction`.

    Each person is in or out by the secret alone: the draw does not depend on the file's order or size.
    """
    if fraction >= 1:
        return rows
    return rows[keyed_hashes(who, secret) < fraction * 2.0**64]


def keyed_order(n: int, secret: bytes) -> np.ndarray:
    """A permutation of range(n) drawn from the secret: SHAKE-256 of it gives every position a 64-bit sort key."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.frombuffer(hashlib.shake_256(secret).digest(8 * n), dtype=">u8")
    return np.argsort(keys, kind="stable")
