"""Keyed pseudonyms: HMAC-SHA256 with a secret key, never a plain hash that anyone could recompute."""

from __future__ import annotations

import base64
import hmac
import os
from pathlib import Path

import pandas as pd

KEY_VARIABLE = "PORTAL_PSEUDONYM_KEY"
KEY_FILE_VARIABLE = "PORTAL_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 32
# The sample build's key: public, so its pseudonyms protect nothing and its output is labelled as such.
DEVELOPMENT_KEY = b"DEVELOPMENT-ONLY-not-secret-sample-build-key-0001"
# 16 bytes of the MAC in lowercase base32: letters and the digits 2-7 only, so a pseudonym can never look
# like an ID or phone number to the personal-data gate.
PSEUDONYM_BYTES = 16


class PseudonymKeyMissing(Exception):
    """No usable key was configured, so no pseudonymised table may be built."""


def load_key() -> bytes:
    """The key from $PORTAL_PSEUDONYM_KEY or the file named by $PORTAL_PSEUDONYM_KEY_FILE."""
    if os.environ.get(KEY_VARIABLE):
        key, origin = os.environ[KEY_VARIABLE].encode(), f"${KEY_VARIABLE}"
    elif os.environ.get(KEY_FILE_VARIABLE):
        path = Path(os.environ[KEY_FILE_VARIABLE])
        try:
            key, origin = path.read_bytes().strip(), str(path)
        except OSError as error:
            raise PseudonymKeyMissing(f"cannot read the pseudonym key file {path}: {error.strerror}") from None
    else:
        raise PseudonymKeyMissing(
            f"pseudonymised tables need a secret key: set ${KEY_VARIABLE} or ${KEY_FILE_VARIABLE} "
            "(a file outside the repository); there is no fallback to an unkeyed hash"
        )
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyMissing(f"the pseudonym key from {origin} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def is_development_key(key: bytes) -> bool:
    return hmac.compare_digest(key, DEVELOPMENT_KEY)


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """The keyed pseudonym of each value (trimmed, as text); missing values stay missing."""
    def one(value: str) -> str:
        mac = hmac.digest(key, value.strip().encode("utf-8"), "sha256")[:PSEUDONYM_BYTES]
        return base64.b32encode(mac).decode("ascii").rstrip("=").lower()

    present = values.notna()
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[present] = [one(str(v)) for v in values[present]]
    return out
