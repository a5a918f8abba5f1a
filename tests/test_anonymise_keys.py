"""The configured key: normalised, the development key known in any spelling, weak keys refused, secrets derived."""

from __future__ import annotations

import base64
import os
import random
import stat
from pathlib import Path

import pytest

from scripts.build.anonymise.keys import (
    DEVELOPMENT_KEY,
    KEY_FILE_VARIABLE,
    KEY_VARIABLE,
    BuildSecrets,
    PseudonymKeyMissing,
    generate_key,
    is_development_key,
    load_key,
    weakness,
)
from scripts.ops import keygen

SEEDED = random.Random(20240630)
# Keys as generators write them (seeded, so that the test is the same every run): make key, openssl rand -hex 32,
# openssl rand -hex 16, openssl rand -base64 32, and 32 printable characters.
RANDOM_KEYS = (
    [base64.urlsafe_b64encode(SEEDED.randbytes(32)).rstrip(b"=") for _ in range(300)]
    + [SEEDED.randbytes(32).hex().encode() for _ in range(300)]
    + [SEEDED.randbytes(16).hex().upper().encode() for _ in range(300)]
    + [base64.b64encode(SEEDED.randbytes(32)) for _ in range(300)]
    + [bytes(SEEDED.choice(range(33, 127)) for _ in range(32)) for _ in range(300)]
)
WEAK_KEYS = [
    b"a" * 32,
    b"ab" * 16,
    b"0123456789abcdef" * 2,
    b"abcdefghijklmnopqrstuvwxyz012345",
    b"password1234567890password123456",
    b"a-secret-key-for-tests-only-0123456789",
    b"correct-horse-battery-staple-quang-ninh-2024",
    b"Cong an tinh Quang Ninh - khoa bi mat 2024",
]
DEVELOPMENT_VARIANTS = [
    b" " + DEVELOPMENT_KEY,
    b'"' + DEVELOPMENT_KEY + b'"',
    b"'" + DEVELOPMENT_KEY + b"'\n",
    DEVELOPMENT_KEY.lower(),
    b"\xef\xbb\xbf" + DEVELOPMENT_KEY + b"\r\n",
    b"Development_Only not secret, another sample key",
]


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)


def use_key_file(monkeypatch, tmp_path, content: bytes):
    path = tmp_path / "portal.key"
    path.write_bytes(content)
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(path))


def test_no_key_is_an_error_and_never_a_plain_hash(no_key):
    with pytest.raises(PseudonymKeyMissing, match="need a secret key.*no fallback"):
        load_key()


@pytest.mark.parametrize("key", WEAK_KEYS + [b"x7Qp" * 7])
def test_weak_or_short_keys_are_refused_without_being_quoted(no_key, monkeypatch, key):
    monkeypatch.setenv(KEY_VARIABLE, key.decode())
    with pytest.raises(PseudonymKeyMissing, match=r"refused because .*make key") as refused:
        load_key()
    assert key.decode() not in str(refused.value)


def test_keys_written_by_generators_are_accepted():
    refused = [key for key in RANDOM_KEYS if weakness(key)]
    assert refused == []
    assert all(weakness(generate_key().encode()) is None for _ in range(50))


def test_a_key_is_read_the_same_from_the_environment_and_from_a_file_with_bom_quotes_and_newline(
    no_key, monkeypatch, tmp_path
):
    key = RANDOM_KEYS[0]
    monkeypatch.setenv(KEY_VARIABLE, f"  {key.decode()} ")
    assert load_key() == key
    monkeypatch.delenv(KEY_VARIABLE)
    use_key_file(monkeypatch, tmp_path, b'\xef\xbb\xbf"' + key + b'"\r\n')
    assert load_key() == key


@pytest.mark.parametrize("variant", DEVELOPMENT_VARIANTS)
def test_every_spelling_of_the_development_key_is_recognised(no_key, monkeypatch, tmp_path, variant):
    use_key_file(monkeypatch, tmp_path, variant)
    key = load_key()
    assert is_development_key(key) and BuildSecrets(key, "0001").development
    assert not is_development_key(RANDOM_KEYS[1])


def test_a_key_file_must_be_readable_and_outside_the_repository(no_key, monkeypatch, tmp_path):
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(tmp_path / "missing.key"))
    with pytest.raises(PseudonymKeyMissing, match="cannot read"):
        load_key()
    monkeypatch.setenv(KEY_FILE_VARIABLE, "pyproject.toml")
    with pytest.raises(PseudonymKeyMissing, match="inside the repository"):
        load_key()


def test_each_purpose_table_link_and_build_gets_its_own_secret():
    key = RANDOM_KEYS[2]
    build = BuildSecrets(key, "0007")
    secrets = [
        build.pseudonym("a"),
        build.pseudonym("b"),
        build.sample("a"),
        build.order("a"),
        build.order("b"),
        build.pseudonym("a", link="person"),
    ]
    assert len(set(secrets)) == len(secrets) and all(len(s) == 32 for s in secrets)
    assert build.pseudonym("a", link="person") == build.pseudonym("b", link="person")  # a declared link is shared
    assert BuildSecrets(key, "0007").order("a") != build.order("a")  # a new build, a new nonce
    assert BuildSecrets(key, "0008", build.nonce).order("a") != build.order("a")
    assert BuildSecrets(key, "0007", build.nonce).order("a") == build.order("a")
    assert key.decode() not in repr(build) and build.nonce.hex() not in repr(build)


def test_make_key_writes_a_private_file_that_the_build_accepts(no_key, monkeypatch, tmp_path, capsys):
    path = tmp_path / "config" / "portal.key"
    assert keygen.main([str(path)]) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    written = path.read_bytes()
    assert written.decode() not in capsys.readouterr().out
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(path))
    assert load_key() == written.strip() and len(written.strip()) == 43
    assert keygen.main([str(path)]) == 1 and path.read_bytes() == written  # never overwritten
    assert "already exists" in capsys.readouterr().err
    inside = Path(__file__).resolve().parents[1] / "build" / "portal.key"
    assert keygen.main([str(inside)]) == 1 and "inside the repository" in capsys.readouterr().err
    assert not inside.exists()
