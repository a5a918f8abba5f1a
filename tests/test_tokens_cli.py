"""The admin token commands: a token is printed once, stored only as a hash, listed without secrets, revoked."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat

import pytest
import sqlite_utils

from plugins.api_tokens import checksum, is_well_formed, new_token, token_hash
from scripts.ops import tokens
from scripts.serve import token_store


@pytest.fixture
def tokens_db(tmp_path, monkeypatch):
    path = tmp_path / "state" / "tokens.db"
    monkeypatch.setenv("PORTAL_TOKENS_DB", str(path))
    return path


@pytest.fixture
def build_dir(tmp_path):
    """A build whose current release publishes two restricted datasets, one with a full-text index."""
    release = tmp_path / "build" / "releases" / "0001"
    release.mkdir(parents=True)
    db = sqlite_utils.Database(release / "restricted.db")
    db["health_records"].insert({"id": 1, "diagnosis": "Cúm"}, pk="id")
    db["health_records"].enable_fts(["diagnosis"])
    db["tax_records"].insert({"id": 1, "income": 1}, pk="id")
    (tmp_path / "build" / "current").symlink_to("releases/0001")
    return tmp_path / "build"


def run(capsys, *argv):
    code = tokens.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_prints_the_token_once_and_stores_only_its_hash(capsys, tokens_db, build_dir):
    code, out, err = run(
        capsys,
        "create",
        "--agency",
        "Sở Y tế",
        "--datasets",
        "health_records,tax_records",
        "--expires",
        "2099-06-30",
        "--build",
        str(build_dir),
    )
    assert code == 0
    token = out.strip()
    assert is_well_formed(token) and out.count(token) == 1 and token not in err
    assert "token 1 for Sở Y tế" in err and "shown only this once" in err
    secret = token.partition("-")[0]
    stored = tokens_db.read_bytes()
    assert secret.encode() not in stored and secret[4:].encode() not in stored
    row = sqlite_utils.Database(tokens_db)["tokens"].get(1)
    assert row["token_hash"] == token_hash(secret)
    assert (row["agency"], row["datasets"], row["revoked"]) == ("Sở Y tế", "health_records,tax_records", 0)
    assert row["expires_at"] == "2099-06-30T17:00:00Z"  # the end of 30 June in Vietnam (UTC+7)
    assert stat.S_IMODE(tokens_db.stat().st_mode) == 0o600


def test_the_token_format_survives_datasette_auth_tokens_split():
    token, hashed = new_token()
    assert token.count("-") == 1
    token_id, secret = token.split("-", 2)
    assert hashed == token_hash(token_id) and secret == checksum(token_id)
    assert token != new_token()[0]


def test_list_shows_every_token_without_secrets(capsys, tokens_db, build_dir):
    issued = []
    for datasets in ("health_records", "*"):
        issued.append(
            run(
                capsys,
                "create",
                "--agency",
                "Sở Thuế",
                "--datasets",
                datasets,
                "--expires",
                "2099-01-01",
                "--build",
                str(build_dir),
            )[1].strip()
        )
    run(capsys, "revoke", "1")
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "agency", "datasets", "created_at", "expires_at", "status", "last_used_at"]
    assert lines[1].split()[0] == "1" and "revoked" in lines[1] and "never" in lines[1]
    assert lines[2].split()[0] == "2" and "active" in lines[2] and " * " in lines[2]
    for token in issued:
        secret = token.partition("-")[0]
        assert secret not in out and token_hash(secret) not in out and token_hash(secret)[:16] not in out


def test_revoke_is_final_and_reports_unknown_ids(capsys, tokens_db, build_dir):
    run(
        capsys, "create", "--agency", "Sở Y tế", "--datasets", "*", "--expires", "2099-01-01", "--build", str(build_dir)
    )
    assert run(capsys, "revoke", "1")[1].startswith("token 1 revoked")
    assert run(capsys, "revoke", "1")[1].startswith("token 1 was already revoked")
    code, _, err = run(capsys, "revoke", "7")
    assert code == 1 and err.strip() == "error: no token has id 7"
    row = sqlite_utils.Database(tokens_db)["tokens"].get(1)
    assert row["revoked"] == 1 and row["revoked_at"]


@pytest.mark.parametrize(
    "expires, message",
    [
        ("30/06/2099", "expected a date as YYYY-MM-DD"),
        ("2099-02-30", "expected a date as YYYY-MM-DD"),
        ("next year", "expected a date as YYYY-MM-DD"),
        ("2001-01-01", "is in the past"),
    ],
)
def test_create_refuses_bad_expiry_dates(capsys, tokens_db, build_dir, expires, message):
    code, out, err = run(
        capsys, "create", "--agency", "Sở Y tế", "--datasets", "*", "--expires", expires, "--build", str(build_dir)
    )
    assert code == 1 and out == "" and message in err
    assert token_store.list_tokens(tokens_db) == []


@pytest.mark.parametrize(
    "datasets, message",
    [
        ("", "no datasets given"),
        (" , ", "no datasets given"),
        ("Health Records", "not dataset names: Health Records"),
        ("health_records,*", "not dataset names: *"),
        ("health_records,births", "not restricted datasets of the current release: births"),
        ("health_records_fts", "not restricted datasets of the current release: health_records_fts"),
    ],
)
def test_create_refuses_bad_dataset_lists(capsys, tokens_db, build_dir, datasets, message):
    code, out, err = run(
        capsys,
        "create",
        "--agency",
        "Sở Y tế",
        "--datasets",
        datasets,
        "--expires",
        "2099-01-01",
        "--build",
        str(build_dir),
    )
    assert code == 1 and out == "" and message in err


def test_create_refuses_an_empty_agency(capsys, tokens_db, build_dir):
    code, _, err = run(
        capsys, "create", "--agency", "  ", "--datasets", "*", "--expires", "2099-01-01", "--build", str(build_dir)
    )
    assert code == 1 and "agency name is empty" in err


def test_without_a_restricted_release_names_are_stored_with_a_warning(capsys, tokens_db, tmp_path):
    code, out, err = run(
        capsys,
        "create",
        "--agency",
        "Sở Y tế",
        "--datasets",
        "births",
        "--expires",
        "2099-01-01",
        "--build",
        str(tmp_path / "empty"),
    )
    assert code == 0 and is_well_formed(out.strip()) and "dataset names were not checked" in err


def test_expiry_is_the_end_of_the_last_day_in_vietnam():
    today = dt.date(2026, 5, 1)
    assert token_store.expiry("2026-05-01", today) == "2026-05-01T17:00:00Z"
    assert token_store.expiry(" 2027-06-30 ", today) == "2027-06-30T17:00:00Z"
    now = dt.datetime(2026, 5, 1, 17, 0, tzinfo=dt.UTC)
    assert token_store.status({"revoked": 0, "expires_at": "2026-05-01T17:00:00Z"}, now) == "expired"
    assert token_store.status({"revoked": 0, "expires_at": "2026-05-01T17:00:01Z"}, now) == "active"


def test_the_tokens_database_defaults_to_the_state_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_TOKENS_DB", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert token_store.default_path() == tmp_path / ".local" / "state" / "open-data-portal" / "tokens.db"
    monkeypatch.setenv("PORTAL_TOKENS_DB", str(tmp_path / "elsewhere" / "tokens.db"))
    assert token_store.default_path() == tmp_path / "elsewhere" / "tokens.db"


def test_listing_before_any_token_creates_nothing(capsys, tokens_db):
    code, out, _ = run(capsys, "list")
    assert code == 0 and out.split() == list(tokens.COLUMNS) and not tokens_db.exists()


def test_the_schema_refuses_a_second_row_with_the_same_hash(tokens_db):
    token_store.create(tokens_db, "Sở Y tế", "*", "2099-01-01T00:00:00Z")
    with sqlite3.connect(tokens_db) as db, pytest.raises(sqlite3.IntegrityError):
        row = db.execute("select token_hash from tokens").fetchone()
        db.execute(
            "insert into tokens (token_hash, agency, datasets, created_at, expires_at) values (?, 'x', '*', "
            "'2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z')",
            row,
        )
