"""/-/health, /-/ready and X-Portal-Release on a release built by the real pipeline, served by the real app."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import threading

import httpx
import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.cli import inspect_
from datasette.database import Database

from scripts.build.pipeline import build
from scripts.build.publish import release_seal
from scripts.serve import command as serve
from tests.conftest import write

LIMITS = "plugins:\n  rate-limit: {rate: 1, burst: 3}\n"


@pytest.fixture
def release(data_dir, tmp_path):
    metadata = write(tmp_path / "metadata.yml", f"title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n{LIMITS}")
    published, _ = build(data_dir, tmp_path / "build", metadata)
    return published


def visitor(app: Datasette, address: str = "203.0.113.9") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app.app(), client=(address, 40000)), base_url="http://localhost"
    )


async def test_health_and_readiness_name_the_release_and_are_never_cached(release):
    async with visitor(serve.app(release)) as client:
        health, ready = await client.get("/-/health"), await client.get("/-/ready")
    assert health.status_code == 200 and health.json() == {"status": "ok", "release": "0001"}
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "release": "0001"}
    for answer in (health, ready):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-portal-release"] == "0001"


async def test_every_answer_names_its_release_429s_included_and_probes_are_not_rate_limited(release):
    paths = ["/", "/portal/tasks", "/portal/tasks.json", "/portal/tasks.csv", "/no-such-page", "/-/static/app.css"]
    async with visitor(serve.app(release)) as client:
        answers = [await client.get(path) for path in paths * 2]
        probes = [await client.get(path) for path in ("/-/health", "/-/ready") * 10]
    assert 429 in {answer.status_code for answer in answers}  # a budget of 3 requests
    assert {answer.headers.get("x-portal-release") for answer in answers} == {"0001"}
    assert {probe.status_code for probe in probes} == {200}


async def test_not_ready_without_the_releases_metadata(release):
    bare = Datasette(immutables=[str(release / "portal.db")])
    async with visitor(bare) as client:
        ready, health = await client.get("/-/ready"), await client.get("/-/health")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable" and ready.json()["release"] == "0001"
    assert ready.json()["problems"] == ["the release's table metadata is not loaded"]
    assert health.status_code == 200  # alive all the same: restarting it would not bring the metadata


async def test_not_ready_when_a_database_cannot_be_read_which_only_the_log_names(release, tmp_path, caplog):
    # A mutable database, as the restricted tier's tokens database is, that gets damaged while the portal runs.
    extra = tmp_path / "extra.db"
    with sqlite3.connect(extra) as db:
        db.execute("create table t (x)")
    app = serve.app(release)
    app.add_database(Database(app, path=str(extra)))
    async with visitor(app) as client:
        assert (await client.get("/-/ready")).status_code == 200
        extra.write_bytes(b"not a database " * 300)
        ready = await client.get("/-/ready")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "release": "0001",
        "problems": ["a database file of the release is gone or damaged"],
    }
    assert "extra" not in ready.text  # the restricted tier's databases must not show through a public probe
    assert f"database file {extra} is gone or is not an SQLite file" in caplog.text


async def test_probes_do_not_reveal_the_restricted_tier(release, tmp_path):
    # The release as it would be with restricted datasets: its restricted.db, served with a tokens database.
    sqlite_utils.Database(release / "restricted.db")["health_records"].insert({"id": 1, "commune": "Hạ Long"}, pk="id")
    inspected = await inspect_([str(release / "portal.db"), str(release / "restricted.db")], None)
    (release / "inspect.json").write_text(json.dumps(inspected), encoding="utf-8")
    release_seal.seal(release)
    app = serve.app(release, tmp_path / "state" / "tokens.db")
    assert {"restricted", "tokens"} <= set(app.databases)
    async with visitor(app) as client:
        answers = [await client.get(path) for path in ("/-/health", "/-/ready")]
    assert [answer.status_code for answer in answers] == [200, 200]
    for answer in answers:
        assert not [word for word in ("restricted", "tokens", "health_records") if word in answer.text], answer.text


async def test_readiness_asks_the_release_files_each_time_and_answers_once_they_are_gone(release):
    app = serve.app(release)
    async with visitor(app) as client:
        assert (await client.get("/-/ready")).status_code == 200
        shutil.rmtree(release)  # a release pruned from under a process that still serves it
        health, ready = await client.get("/-/health"), await client.get("/-/ready")
    assert health.status_code == 200 and health.json()["release"] == "0001"
    assert ready.status_code == 503 and ready.json()["release"] == "0001"
    assert ready.json()["problems"] == ["a database file of the release is gone or damaged"]


async def test_readiness_answers_while_every_sql_thread_is_busy(release):
    datasette = serve.app(release)
    gate = threading.Event()
    async with visitor(datasette) as client:
        assert (await client.get("/-/health")).status_code == 200
        database = datasette.get_database("portal")
        # More queries than SQL threads, each holding its thread until the gate opens: the pool is full and has a queue.
        busy = [
            asyncio.ensure_future(database.execute_fn(lambda conn: gate.wait(30)))
            for _ in range(datasette.setting("num_sql_threads") + 2)
        ]
        try:
            ready = await asyncio.wait_for(client.get("/-/ready"), 10)
        finally:
            gate.set()
            await asyncio.gather(*busy)
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def _truncate_to_half(path):
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)


def _overwrite_64_kib_in_the_middle(path):
    with open(path, "r+b") as file:
        file.seek(path.stat().st_size // 2)
        file.write(b"\xa5" * 65536)


def _replace_with_another_sqlite_file(path):
    other = path.with_name("other.db")
    sqlite_utils.Database(other)["tasks"].insert({"code": "001"}, pk="code")
    other.replace(path)


@pytest.mark.parametrize(
    "damage", [_truncate_to_half, _overwrite_64_kib_in_the_middle, _replace_with_another_sqlite_file]
)
async def test_not_ready_once_a_release_file_is_not_the_one_the_build_sealed(release, damage):
    async with visitor(serve.app(release)) as client:
        assert (await client.get("/-/ready")).status_code == 200
        damage(release / "portal.db")
        health, ready = await client.get("/-/health"), await client.get("/-/ready")
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "release": "0001",
        "problems": ["a database file of the release differs from the checksum the build recorded"],
    }


async def test_not_ready_when_a_file_matches_its_seal_but_lacks_a_table_the_release_lists(release):
    inspected = json.loads((release / "inspect.json").read_text(encoding="utf-8"))
    inspected["portal"]["tables"]["withdrawn_long_ago"] = {"count": 0}
    app = serve.app(release)
    app.inspect_data = inspected
    async with visitor(app) as client:
        ready = await client.get("/-/ready")
    assert ready.status_code == 503
    assert ready.json()["problems"] == ["a database file of the release lacks tables the release lists"]


async def test_not_ready_without_the_releases_checksums(release):
    (release / release_seal.SEAL).unlink()
    async with visitor(serve.app(release)) as client:
        ready = await client.get("/-/ready")
    assert ready.status_code == 503
    assert ready.json()["problems"] == ["the release has no readable checksums (SHA256SUMS) to check its files against"]
