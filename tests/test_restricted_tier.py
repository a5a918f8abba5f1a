"""The restricted tier served as `make serve` serves it: partner tokens read their own datasets, nothing else leaks."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from datasette.cli import inspect_

from plugins.api_tokens import new_token, token_hash
from scripts.build.publish import release_seal
from scripts.serve import command as serve
from scripts.serve import token_store
from scripts.serve.loopback import serving

HEALTH_VALUE = "Sốt xuất huyết mẫu 7731"
TAX_VALUE = "Thu nhập mẫu 5529"
SECRETS = ("health_records", "tax_records", HEALTH_VALUE, TAX_VALUE, "tokens.db", "token_hash")


def _assemble(release: Path, restricted: bool) -> Path:
    """A release directory as the build writes it: portal.db, restricted.db when asked, metadata and inspect data."""
    release.mkdir(parents=True)
    portal = sqlite_utils.Database(release / "portal.db")
    portal["tasks"].insert_all(
        [{"code": f"00{i}", "name": f"Nhiệm vụ {i}", "unit": "Công an tỉnh"} for i in (1, 2, 3)], pk="code"
    )
    portal["catalogue"].insert(
        {"id": "tasks", "title_vi": "Nhiệm vụ", "access": "public", "table_url": "/portal/tasks"}, pk="id"
    )
    portal["catalogue"].enable_fts(["title_vi"])
    metadata = {
        "title": "Cổng dữ liệu mở",
        "databases": {
            "portal": {
                "tables": {
                    "tasks": {"title": "Nhiệm vụ · Tasks", "facets": ["unit"]},
                    "catalogue": {"title": "Danh mục", "fts_table": "catalogue_fts", "fts_pk": "rowid"},
                }
            }
        },
    }
    files = [release / "portal.db"]
    if restricted:
        db = sqlite_utils.Database(release / "restricted.db")
        db["health_records"].insert_all(
            [
                {"id": 1, "commune": "Hạ Long", "diagnosis": HEALTH_VALUE},
                {"id": 2, "commune": "Cẩm Phả", "diagnosis": "Cúm"},
            ],
            pk="id",
        )
        db["health_records"].enable_fts(["diagnosis"])
        db["tax_records"].insert({"id": 1, "commune": "Hạ Long", "income": TAX_VALUE}, pk="id")
        metadata["databases"]["restricted"] = {
            "tables": {
                "health_records": {"title": "Hồ sơ y tế · health_records", "facets": ["commune"]},
                "tax_records": {"title": "Hồ sơ thuế · tax_records"},
            }
        }
        files.append(release / "restricted.db")
    (release / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    inspected = asyncio.run(inspect_([str(path) for path in files], None))
    (release / "inspect.json").write_text(json.dumps(inspected), encoding="utf-8")
    release_seal.seal(release)  # last, as the build does
    return release


@pytest.fixture
def release(tmp_path):
    return _assemble(tmp_path / "build" / "releases" / "0001", restricted=True)


@pytest.fixture
def tokens_db(tmp_path):
    return tmp_path / "state" / "tokens.db"


@pytest.fixture
def portal(release, tokens_db):
    return serve.app(release, tokens_db)


@pytest.fixture
def issue(tokens_db):
    """Issue a token as `make token-create` does; returns (id, Authorization header)."""

    def issue(datasets: str, last_day: str = "2099-12-31") -> tuple[int, dict]:
        expires_at = token_store.expiry(last_day, dt.date.today())
        token_id, token = token_store.create(tokens_db, "Sở Y tế", datasets, expires_at)
        return token_id, {"Authorization": f"Bearer {token}"}

    return issue


def _set(tokens_db, sql: str, token_id: int) -> None:
    with sqlite3.connect(tokens_db) as db:
        db.execute(sql, (token_id,))


@pytest.fixture
def refused(issue, tokens_db):
    """Every kind of credential that must be refused, by name: each must be treated like no credential at all."""
    expired_id, expired = issue("*")
    _set(tokens_db, "update tokens set expires_at = '2001-01-01T00:00:00Z' where id = ?", expired_id)
    revoked_id, revoked = issue("*")
    token_store.revoke(tokens_db, revoked_id)
    valid = issue("*")[1]["Authorization"]
    never_issued = new_token()[0]
    return {
        "none": {},
        "wrong": {"Authorization": f"Bearer {never_issued}"},
        "several dashes": {"Authorization": "Bearer odp_1-2-3"},
        "no dash": {"Authorization": "Bearer " + valid.split()[1].replace("-", "")},
        "bad checksum": {"Authorization": valid[:-1] + ("0" if valid[-1] != "0" else "1")},
        "truncated": {"Authorization": valid[:-20]},
        "lower-case scheme": {"Authorization": "bearer " + valid.split()[1]},
        "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
        "non-ascii": {"Authorization": "Bearer odp_ấ-1".encode()},
        "expired": expired,
        "revoked": revoked,
    }


REFUSED_PATHS = [
    "/restricted/health_records",
    "/restricted/health_records.json",
    "/restricted/health_records.csv",
    "/restricted/health_records.csv?_stream=on",
    "/restricted/health_records.atom",
    "/restricted/health_records.json?_facet=commune",
    "/restricted/health_records.json?_search=xuất",
    "/restricted/health_records_fts.json",
    "/restricted/health_records/1",
    "/restricted/health_records/1.json",
    "/restricted/tax_records.json",
    "/restricted/no_such_table.json",  # refused like a real table: no probing of names
    "/restricted",
    "/restricted.json",
    "/restricted.db",
    "/restricted.json?sql=select+*+from+health_records",
    "/restricted?sql=select+*+from+tax_records",
    "/tokens",
    "/tokens.json",
    "/tokens.db",
    "/tokens/tokens.json",
    "/tokens.json?sql=select+*+from+tokens",
    "/_internal/tables.json",
    "/_internal.json?sql=select+*+from+tables",
]


def _leaks(text: str) -> list[str]:
    """The restricted names and values found in a response body, written plainly or JSON-escaped."""
    return [secret for secret in SECRETS if secret in text or json.dumps(secret)[1:-1] in text]


@pytest.mark.parametrize("path", REFUSED_PATHS)
async def test_every_path_refuses_every_bad_credential_the_same_way(portal, refused, path):
    anonymous = await portal.client.get(path)
    assert anonymous.status_code == 403, anonymous.text
    assert not _leaks(anonymous.text)
    cache_control = set()
    for kind, headers in refused.items():
        response = await portal.client.get(path, headers=headers)
        assert (response.status_code, response.text) == (anonymous.status_code, anonymous.text), kind
        if headers:
            cache_control.add(response.headers.get("cache-control"))
    assert len(cache_control) == 1


INTROSPECTION = [
    "/",
    "/.json",
    "/-/databases",
    "/-/databases.json",
    "/-/metadata",
    "/-/metadata.json",
    "/-/actor.json",
    "/-/settings.json",
    "/portal",
    "/portal.json",  # /-/threads, /-/plugins, /-/versions: 404 (debug_pages.py)
    "/portal/catalogue.json?_shape=array",
    "/portal/catalogue.json?_search=health",
    "/portal/catalogue.csv",
    "/portal.json?sql=select+name,+file+from+pragma_database_list",
]


@pytest.mark.parametrize("path", INTROSPECTION)
async def test_public_pages_and_introspection_leak_nothing(portal, refused, path):
    for kind, headers in refused.items():
        response = await portal.client.get(path, headers=headers)
        assert response.status_code == 200, (kind, response.text)
        assert not _leaks(response.text), (kind, _leaks(response.text))


async def test_anonymous_introspection_lists_only_the_public_database(portal, refused):
    for kind, headers in refused.items():
        listed = (await portal.client.get("/-/databases.json", headers=headers)).json()
        assert [database["name"] for database in listed] == ["portal"], kind
        assert list((await portal.client.get("/.json", headers=headers)).json()) == ["portal"], kind
        metadata = (await portal.client.get("/-/metadata.json", headers=headers)).json()
        assert list(metadata["databases"]) == ["portal"] and not metadata.get("plugins"), kind
        assert (await portal.client.get("/-/actor.json", headers=headers)).json() == {"actor": None}, kind


async def test_no_cross_table_search_or_feed_exists_to_leak_through(portal):
    # Datasette 0.65 has neither; datasette-search-all or datasette-atom, if ever installed, need their own tests.
    for path in ("/-/search", "/-/search.json?q=xuất", "/-/feed.atom"):
        response = await portal.client.get(path)
        assert response.status_code == 404 and not _leaks(response.text), path
    feed = await portal.client.get("/portal/catalogue.atom")
    assert not _leaks(feed.text)


async def test_public_sql_cannot_reach_the_restricted_file_even_with_a_token(portal, issue):
    _, everything = issue("*")
    for sql in (
        "select * from restricted.health_records",
        "select * from health_records",
        "attach database 'restricted.db' as r",
    ):
        response = await portal.client.get("/portal.json", params={"sql": sql}, headers=everything)
        assert response.status_code == 400, sql
        assert not response.json()["ok"] and HEALTH_VALUE not in response.text
    databases = (
        await portal.client.get(
            "/portal.json?_shape=array&sql=select+name+from+pragma_database_list", headers=everything
        )
    ).json()
    assert [row["name"] for row in databases] == ["main"]


async def test_a_token_reads_its_datasets_as_json_csv_and_rows_but_not_others(portal, issue):
    _, health = issue("health_records")
    rows = (await portal.client.get("/restricted/health_records.json?_shape=array", headers=health)).json()
    assert {row["diagnosis"] for row in rows} == {HEALTH_VALUE, "Cúm"}
    csv = await portal.client.get("/restricted/health_records.csv", headers=health)
    assert csv.status_code == 200 and HEALTH_VALUE in csv.text
    row = await portal.client.get("/restricted/health_records/1.json?_shape=array", headers=health)
    assert row.json()[0]["diagnosis"] == HEALTH_VALUE
    page = await portal.client.get("/restricted/health_records/1", headers=health)
    assert page.status_code == 200 and HEALTH_VALUE in page.text
    found = (
        await portal.client.get("/restricted/health_records.json?_shape=array&_search=xuất", headers=health)
    ).json()
    assert [r["id"] for r in found] == [1]
    facets = (await portal.client.get("/restricted/health_records.json?_facet=commune", headers=health)).json()
    assert facets["facet_results"]["commune"]["results"]
    for path in (
        "/restricted/tax_records.json",
        "/restricted/tax_records/1.json",
        "/restricted/tax_records.csv",
        "/restricted/TAX_RECORDS.json",
        "/restricted/tax~5Frecords.json",
        "/restricted/health_records_fts.json",
    ):
        other = await portal.client.get(path, headers=health)
        assert other.status_code == 403 and not _leaks(other.text.replace("health_records", "")), path


async def test_a_token_sees_only_its_datasets_listed(portal, issue):
    _, health = issue("health_records")
    database = (await portal.client.get("/restricted.json", headers=health)).json()
    assert [t["name"] for t in database["tables"] if not t["hidden"]] == ["health_records"]
    index = (await portal.client.get("/.json", headers=health)).json()
    assert [t["name"] for t in index["restricted"]["tables_and_views_truncated"]] == ["health_records"]
    assert "tax_records" not in json.dumps(index)
    metadata = (await portal.client.get("/-/metadata.json", headers=health)).json()
    assert set(metadata["databases"]["restricted"]["tables"]) == {"health_records"}
    assert "datasette-auth-tokens" not in json.dumps(metadata) and "tokens" not in metadata["databases"]
    listed = (await portal.client.get("/-/databases.json", headers=health)).json()
    assert [d["name"] for d in listed] == ["portal", "restricted"]
    actor = (await portal.client.get("/-/actor.json", headers=health)).json()["actor"]
    assert actor["agency"] == "Sở Y tế" and actor["datasets"] == "health_records"


async def test_a_token_for_all_datasets_reads_both(portal, issue):
    _, everything = issue("*")
    for path, value in (("/restricted/health_records.csv", HEALTH_VALUE), ("/restricted/tax_records.csv", TAX_VALUE)):
        response = await portal.client.get(path, headers=everything)
        assert response.status_code == 200 and value in response.text


async def test_no_token_may_run_sql_download_or_use_where_on_the_restricted_database(portal, issue):
    _, everything = issue("*")
    for path in (
        "/restricted.json?sql=select+*+from+health_records",
        "/restricted.db",
        "/restricted/health_records.json?_where=id+in+(select+id+from+tax_records)",
        "/tokens.json?sql=select+*+from+tokens",
        "/tokens/tokens.json",
    ):
        response = await portal.client.get(path, headers=everything)
        assert response.status_code == 403, path
        assert not _leaks(response.text.replace("health_records", "").replace("tax_records", ""))


async def test_revocation_and_expiry_apply_from_the_next_request(portal, issue, tokens_db):
    for make_invalid in (
        lambda token_id: token_store.revoke(tokens_db, token_id),
        lambda token_id: _set(
            tokens_db, "update tokens set expires_at = '2001-01-01T00:00:00Z' where id = ?", token_id
        ),
    ):
        token_id, headers = issue("health_records")
        assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 200
        make_invalid(token_id)
        assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 403


async def test_the_public_tier_needs_no_token_and_ignores_bad_ones(portal, refused, issue):
    _, health = issue("health_records")
    for headers in [*refused.values(), health]:
        response = await portal.client.get("/portal/tasks.json?_shape=array&_facet=unit", headers=headers)
        assert response.status_code == 200 and len(response.json()) == 3
    download = await portal.client.get("/portal.db")
    assert download.status_code == 200


async def _last_used(tokens_db, token_id):
    for _ in range(100):
        record = next(r for r in token_store.list_tokens(tokens_db) if r["id"] == token_id)
        if record["last_used_at"]:
            return record["last_used_at"]
        await asyncio.sleep(0.02)
    return None


async def test_last_use_is_recorded_at_most_once_a_minute(portal, issue, tokens_db):
    token_id, headers = issue("health_records")
    await portal.client.get("/restricted/health_records.json", headers=headers)
    assert await _last_used(tokens_db, token_id)
    _set(tokens_db, "update tokens set last_used_at = null where id = ?", token_id)
    await portal.client.get("/restricted/health_records.json", headers=headers)
    await asyncio.sleep(0.2)
    assert not next(r for r in token_store.list_tokens(tokens_db) if r["id"] == token_id)["last_used_at"]


async def test_the_tokens_database_holds_no_token(portal, issue, tokens_db):
    tokens = [issue(datasets)[1]["Authorization"].split()[1] for datasets in ("health_records", "*")]
    for token in tokens:
        await portal.client.get("/restricted/health_records.json", headers={"Authorization": f"Bearer {token}"})
    stored = b"".join(path.read_bytes() for path in tokens_db.parent.glob("tokens.db*"))
    for token in tokens:
        secret, _, _check = token.partition("-")
        assert secret.encode() not in stored and secret[4:].encode() not in stored
        assert token_hash(secret).encode() in stored


def test_serve_command_mounts_the_tier_without_crossdb(release, tokens_db):
    line = serve.command(release, port=8123, tokens=tokens_db)
    assert "--crossdb" not in line
    assert line[line.index("serve") + 1] == str(tokens_db)
    immutable = [line[i + 1] for i, arg in enumerate(line) if arg == "-i"]
    assert immutable == [str(release / "portal.db"), str(release / "restricted.db")]
    metadata = json.loads(open(line[line.index("--metadata") + 1], encoding="utf-8").read())
    assert metadata == serve.restricted_tier.served_metadata(
        json.loads((release / "metadata.json").read_text()), serve.restricted_tier.tier(release, tokens_db)
    )


def test_a_release_without_restricted_data_is_served_as_before(tmp_path):
    release = _assemble(tmp_path / "public", restricted=False)
    tokens_db = tmp_path / "state" / "tokens.db"
    line = serve.command(release, tokens=tokens_db)
    assert line[line.index("serve") + 1] == "-i" and str(release / "metadata.json") in line
    assert not tokens_db.exists()
    assert set(serve.app(release, tokens_db).databases) == {"_internal", "portal"}


async def test_a_result_kept_for_a_token_is_never_served_without_one(portal, issue, monkeypatch):
    """The query cache keeps what a token read: the permission checks still come first."""
    from tests.test_query_cache import fresh_cache

    cache = fresh_cache(monkeypatch)
    _, headers = issue("health_records")
    for path in ("/restricted/health_records.json", "/restricted/health_records?_search=xuất"):
        assert (await portal.client.get(path, headers=headers)).status_code == 200
    assert any(key[0] == "restricted" for key in cache.entries)
    for path in ("/restricted/health_records.json", "/restricted/health_records?_search=xuất"):
        response = await portal.client.get(path)
        assert response.status_code == 403 and HEALTH_VALUE not in response.text


async def test_a_revocation_counts_after_the_tokens_file_is_replaced(portal, issue, tokens_db):
    token_id, headers = issue("health_records")
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 200
    backup = tokens_db.with_name("backup.db")
    shutil.copy(tokens_db, backup)
    backup.replace(tokens_db)  # a backup restored with `mv` while the portal serves
    token_store.revoke(tokens_db, token_id)
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 403
    _, issued_since = issue("health_records")
    assert (await portal.client.get("/restricted/health_records.json", headers=issued_since)).status_code == 200
    ready = await portal.client.get("/-/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    assert ready.json()["notes"] == [
        "the partner token database was replaced since start: tokens are checked against the new file"
    ]


async def test_without_the_tokens_file_every_token_is_refused_until_it_is_back(portal, issue, tokens_db):
    _, headers = issue("health_records")
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 200
    kept = tokens_db.with_name("kept.db")
    tokens_db.replace(kept)
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 403
    for headers_or_none in (headers, {}):
        public = await portal.client.get("/portal/tasks.json?_shape=array", headers=headers_or_none)
        assert public.status_code == 200 and len(public.json()) == 3
    assert (await portal.client.get("/")).status_code == 200
    ready = await portal.client.get("/-/ready")
    assert ready.status_code == 200  # the public tier is served as it should be
    assert ready.json() == {
        "status": "degraded",
        "release": "0001",
        "problems": ["the partner token database is missing: every token is refused"],
    }
    assert not _leaks(ready.text)
    assert not tokens_db.exists()  # nothing recreated it, not even recording a last use
    kept.replace(tokens_db)
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 200
    ready = await portal.client.get("/-/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "release": "0001"}


async def test_a_tokens_file_that_is_not_a_tokens_database_refuses_every_token(portal, issue, tokens_db):
    _, headers = issue("health_records")
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 200
    tokens_db.write_bytes(b"not a database " * 300)
    assert (await portal.client.get("/restricted/health_records.json", headers=headers)).status_code == 403
    assert (await portal.client.get("/portal/tasks.json", headers=headers)).status_code == 200
    ready = await portal.client.get("/-/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert ready.json()["problems"] == ["the partner token database cannot be read: every token is refused"]


def test_a_served_portal_applies_a_revocation_made_in_a_restored_tokens_file(release, tokens_db):
    """`make serve` as a process, the file restored with `mv`, the token revoked with the admin command."""
    serve.command(release, tokens=tokens_db)  # creates the tokens database as `make serve` does
    expires_at = token_store.expiry("2099-12-31", dt.date.today())
    token_id, token = token_store.create(tokens_db, "Sở Y tế", "health_records", expires_at)

    def status(base: str) -> int:
        request = urllib.request.Request(
            base + "/restricted/health_records.json", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with serving(lambda port: serve.command(release, port=port, tokens=tokens_db)) as base:
        assert status(base) == 200
        shutil.copy(tokens_db, tokens_db.with_name("backup.db"))
        tokens_db.with_name("backup.db").replace(tokens_db)
        subprocess.run(
            [sys.executable, "-m", "scripts.ops.tokens", "revoke", str(token_id)],
            cwd=serve.ROOT,
            env=dict(os.environ, PORTAL_TOKENS_DB=str(tokens_db)),
            check=True,
            capture_output=True,
        )
        assert status(base) == 403
