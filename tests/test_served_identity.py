"""What the served portal says about the machine it runs on, and whose word it takes for a client's address.

A real server (`serve.command`, as `make serve` runs it) on a tiny build, over real HTTP from loopback addresses.
"""

from __future__ import annotations

import json

import httpx
import pytest

from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve.loopback import serving


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.conftest import CSV, MANIFEST, SPEC, write

    root = tmp_path_factory.mktemp("identity")
    data = root / "data"
    write(data / "manifest.yml", MANIFEST)
    write(data / "specs" / "tasks.yml", SPEC)
    write(data / "raw" / "tasks.csv", CSV)
    metadata = write(root / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
    release, _ = build(data, root / "build", metadata)
    published = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    published["plugins"] = {"rate-limit": {"rate": 0.01, "burst": 3}}
    (release / "metadata.json").write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    with serving(lambda port: serve.command(release, port=port), probe="/-/health") as base:
        yield base, release


def client(base: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_no_answer_names_the_server_software(served):
    base, _ = served
    with client(base, "127.0.0.61") as visitor:
        answers = [visitor.get(path) for path in ("/-/health", "/no-such-page", "/portal/tasks.json")]
    assert [name for answer in answers for name in answer.headers if name.lower() == "server"] == []


def test_a_client_on_the_machine_cannot_buy_budgets_by_naming_other_addresses(served):
    base, _ = served
    with client(base, "127.0.0.1") as visitor:
        statuses = [
            visitor.get("/portal/tasks.json", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(1, 9)
        ]
    # A budget of 3, refilled once in 100 s: one client, whatever it writes in X-Forwarded-For.
    assert statuses[:3] == [200] * 3 and set(statuses[3:]) == {429}, statuses


def _get(base: str, path: str, address: str) -> httpx.Response:
    with client(base, address) as visitor:
        return visitor.get(path)


def test_the_list_of_databases_says_nothing_of_where_their_files_are(served):
    base, release = served
    for n, path in enumerate(["/-/databases.json", "/-/databases"]):
        answer = _get(base, path, f"127.0.0.{71 + n}")
        assert answer.status_code == 200
        assert str(release) not in answer.text and "portal.db" not in answer.text, answer.text[:500]
    assert [database["name"] for database in _get(base, "/-/databases.json", "127.0.0.73").json()] == ["portal"]


def test_sql_cannot_read_the_database_files_paths(served):
    base, release = served
    answer = _get(base, "/portal.json?_shape=array&sql=select+*+from+pragma_database_list", "127.0.0.74")
    assert answer.status_code == 200
    assert answer.json() == [{"seq": 0, "name": "main", "file": None}]
    assert str(release) not in answer.text


def test_pages_do_not_name_the_datasette_version(served):
    import datasette

    base, _ = served
    for n, path in enumerate(["/", "/portal", "/portal/tasks", "/no-such-page"]):
        answer = _get(base, path, f"127.0.0.{75 + n}")
        assert "<footer" in answer.text, (path, answer.status_code)
        assert datasette.__version__ not in answer.text, path
