"""Keyed pseudonyms: stable for a key, different across keys, never with a short key (keys: test_anonymise_keys)."""

from __future__ import annotations

import base64
import hmac

import pandas as pd
import pytest

from scripts.build.anonymise.pseudonym import PseudonymKeyMissing, keyed_macs, pseudonymise

KEY_A = b"a-secret-key-for-tests-only-0123456789"
KEY_B = b"another-secret-key-for-tests-987654321"


def test_pseudonyms_are_stable_for_a_key_and_differ_across_keys():
    ids = pd.Series(["001087001234", "079203004567", "001087001234"])
    first, again = pseudonymise(ids, KEY_A), pseudonymise(ids, KEY_A)
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] and first[0] != first[1]
    assert set(pseudonymise(ids, KEY_B)).isdisjoint(first)


def test_a_pseudonym_is_the_hmac_of_the_trimmed_value_in_lowercase_base32():
    mac = hmac.digest(KEY_A, b"001087001234", "sha256")[:16]
    expected = base64.b32encode(mac).decode().rstrip("=").lower()
    assert pseudonymise(pd.Series([" 001087001234 "]), KEY_A).tolist() == [expected]
    # Letters and the digits 2-7 only: never mistaken for an ID number or a phone number.
    assert len(expected) == 26 and expected.isalnum() and not any(c in expected for c in "0189")


def test_keys_longer_than_a_hash_block_are_hashed_first_as_hmac_requires():
    key = b"k" * 100
    expected = base64.b32encode(hmac.digest(key, b"x", "sha256")[:16]).decode().rstrip("=").lower()
    assert pseudonymise(pd.Series(["x"]), key)[0] == expected


def test_missing_values_stay_missing_and_the_index_is_kept():
    out = pseudonymise(pd.Series(["a", None], index=[5, 9]), KEY_A)
    assert out.index.tolist() == [5, 9] and pd.isna(out[9]) and len(out[5]) == 26


def test_unicode_forms_of_the_same_text_share_a_pseudonym():
    composed, decomposed = "Nguyễn", "Nguye\u0302\u0303n"
    out = pseudonymise(pd.Series([composed, decomposed]), KEY_A)
    assert out[0] == out[1]


def test_a_short_key_is_refused():
    with pytest.raises(PseudonymKeyMissing):
        pseudonymise(pd.Series(["x"]), b"too-short")


def test_keyed_macs_are_the_pseudonyms_bytes():
    mac = hmac.digest(KEY_A, b"001087001234", "sha256")[:16]
    assert keyed_macs(pd.Series(["001087001234"]), KEY_A).tobytes() == mac
    assert keyed_macs(pd.Series([], dtype="string"), KEY_A).shape == (0, 16)
