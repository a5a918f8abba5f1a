"""Keyed pseudonyms: HMAC-SHA256 with a secret key, never a plain hash that anyone could recompute."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import numpy as np
import pandas as pd

KEY_VARIABLE = "PORTAL_PSEUDONYM_KEY"
KEY_FILE_VARIABLE = "PORTAL_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 32
# The sample build's key: public, so its pseudonyms protect nothing and its output is labelled as such.
DEVELOPMENT_KEY = b"DEVELOPMENT-ONLY-not-secret-sample-build-key-0001"
DEVELOPMENT_PREFIX = b"DEVELOPMENT-ONLY-"
# 16 bytes of the MAC in lowercase base32: letters and the digits 2-7 only, so a pseudonym can never look
# like an ID or phone number to the personal-data gate.
PSEUDONYM_BYTES = 16
_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_REPOSITORY = Path(__file__).resolve().parents[2]


class PseudonymKeyMissing(Exception):
    """No usable key was configured, so no pseudonymised table may be built."""


def _read_key_file(path: Path) -> bytes:
    """The key in a file, which must live outside the repository so that it is never committed."""
    if path.resolve().is_relative_to(_REPOSITORY):
        raise PseudonymKeyMissing(f"the pseudonym key file {path} is inside the repository; keep it outside")
    try:
        return path.read_bytes().strip()
    except OSError as error:
        raise PseudonymKeyMissing(f"cannot read the pseudonym key file {path}: {error.strerror}") from None


def load_key() -> bytes:
    """The key from $PORTAL_PSEUDONYM_KEY or the file named by $PORTAL_PSEUDONYM_KEY_FILE."""
    if os.environ.get(KEY_VARIABLE):
        key, origin = os.environ[KEY_VARIABLE].encode(), f"${KEY_VARIABLE}"
    elif os.environ.get(KEY_FILE_VARIABLE):
        path = Path(os.environ[KEY_FILE_VARIABLE])
        key, origin = _read_key_file(path), str(path)
    else:
        raise PseudonymKeyMissing(
            f"pseudonymised tables need a secret key: set ${KEY_VARIABLE} or ${KEY_FILE_VARIABLE} "
            "(a file outside the repository); there is no fallback to an unkeyed hash"
        )
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyMissing(f"the pseudonym key from {origin} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def is_development_key(key: bytes) -> bool:
    """Whether the key is a public development key, whose output must be labelled as protecting nothing."""
    return hmac.compare_digest(key, DEVELOPMENT_KEY) or key.startswith(DEVELOPMENT_PREFIX)


def _base32(macs: np.ndarray) -> np.ndarray:
    """Unpadded lowercase base32 of 16-byte rows (26 characters each), as `base64.b32encode` spells it."""
    n = len(macs)
    # Three 5-byte groups make 8 characters each; the 16th byte makes two more, padded with zero bits.
    groups = np.zeros((n, 3, 8), dtype=np.uint8)
    groups[..., 3:] = macs[:, :15].reshape(n, 3, 5)
    value = groups.view(">u8").reshape(n, 3).astype(np.uint64)
    digits = np.empty((n, 26), dtype=np.uint8)
    for i, shift in enumerate(range(35, -1, -5)):
        digits[:, i:24:8] = (value >> np.uint64(shift)) & np.uint64(31)
    digits[:, 24] = macs[:, 15] >> 3
    digits[:, 25] = (macs[:, 15] & 7) << 2
    return np.ascontiguousarray(_ALPHABET[digits]).view("S26").ravel().astype("U26")


def _keyed_mac(key: bytes):
    """HMAC-SHA256 (RFC 2104) truncated to PSEUDONYM_BYTES, as a function of one text value.

    Built from hashlib states keyed once and copied per value: the same MAC as `hmac.digest`,
    at about a million values a second instead of a third of that.
    """
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def mac(value: str) -> bytes:
        state = inner.copy()
        state.update(value.encode("utf-8"))
        result = outer.copy()
        result.update(state.digest())
        return result.digest()[:PSEUDONYM_BYTES]

    return mac


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """The keyed pseudonym of each value (as text, trimmed, Unicode NFC); missing values stay missing."""
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyMissing(f"a pseudonym key must be at least {MIN_KEY_BYTES} bytes")
    present = values.notna()
    text = values[present].astype(str).str.strip().str.normalize("NFC").tolist()
    macs = np.frombuffer(b"".join(map(_keyed_mac(key), text)), dtype=np.uint8).reshape(-1, PSEUDONYM_BYTES)
    if present.all():
        return pd.Series(_base32(macs), index=values.index, dtype="string")
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[present] = _base32(macs)
    return out
