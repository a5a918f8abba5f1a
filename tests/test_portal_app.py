"""The real Datasette app, configured exactly as `make serve` runs it, on a tiny inline build."""

from __future__ import annotations

import json

import pytest


async def test_table_page_shows_vietnamese_metadata_and_synthetic_notice(portal):
    response = await portal.client.get("/portal/tasks")
    assert response.status_code == 200
    assert "<h1>Nhiệm vụ" in response.text  # the Vietnamese half of the "vi · en" title
    assert "Dữ liệu mẫu tổng hợp, không phải số liệu chính thức" in response.text
    assert "46/KH-UBND" in response.text


async def test_json_array_filters_sort_and_search(portal):
    rows = (await portal.client.get("/portal/tasks.json?_shape=array&unit=Công an tỉnh&_sort_desc=deadline")).json()
    assert [r["code"] for r in rows] == ["002", "001"]
    found = (await portal.client.get("/portal/tasks.json?_shape=array&_search=dich vu")).json()
    assert [r["code"] for r in found] == ["003"]


async def test_facets_are_declared_by_the_spec(portal):
    data = (await portal.client.get("/portal/tasks.json?_extra=facet_results")).json()
    facets = data["facet_results"]
    assert set(facets) == {"unit", "done"}
    counts = {v["value"]: v["count"] for v in facets["unit"]["results"]}
    assert counts == {"Công an tỉnh": 2, "Sở Khoa học và Công nghệ": 1}


async def test_pagination_follows_next(portal):
    first = (await portal.client.get("/portal/tasks.json?_size=2")).json()
    assert len(first["rows"]) == 2 and first["next"]
    second = (await portal.client.get(f"/portal/tasks.json?_size=2&_next={first['next']}")).json()
    assert len(second["rows"]) == 1 and second["next"] is None


async def test_csv_export(portal):
    response = await portal.client.get("/portal/tasks.csv?_size=max")
    assert response.status_code == 200
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("code,name,unit,deadline,done,budget")
    assert len(lines) == 4


async def test_only_declared_columns_are_sortable(portal):
    metadata = portal.table_metadata("portal", "tasks")
    assert metadata["sortable_columns"] == ["code", "unit", "done", "deadline"]


@pytest.mark.parametrize("sort", ["_sort=unit", "_sort_desc=unit", "_sort=done", "_sort_desc=deadline"])
async def test_following_next_on_a_sort_with_ties_returns_every_row_once(portal, sort):
    seen, url = [], f"/portal/tasks.json?_size=1&{sort}"
    while url:
        data = (await portal.client.get(url)).json()
        seen += [row[0] for row in data["rows"]]
        url = f"/portal/tasks.json?_size=1&{sort}&_next={data['next']}" if data["next"] else None
    assert sorted(seen) == ["001", "002", "003"]


@pytest.fixture
def guarded(data_dir, portal_metadata, tmp_path):
    """The tiny build served with an `allow` rule on its table: only the actor `auditor` may see `tasks`."""
    from scripts.build.pipeline import build
    from scripts.serve import command as serve

    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    path = release / "metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["databases"]["portal"]["tables"]["tasks"]["allow"] = {"id": "auditor"}
    path.write_text(json.dumps(metadata), encoding="utf-8")
    return serve.app(release)


async def test_table_permissions_are_worked_out_once_per_table_and_still_decide_every_request(guarded, monkeypatch):
    """Datasette 0.65.5 reads every metadata source again for each table's permission check; the portal reads them
    once per table (plugins/permission_cache.py), and the rules read then still decide who sees the table."""
    auditor = {"ds_actor": guarded.sign({"a": {"id": "auditor"}}, "actor")}
    read = []
    sources = guarded._metadata_sources  # where the `allow` rules of tables are read from, on every check unremembered

    def reading(key, database, table):
        if key == "tables":
            read.append(database)
        return sources(key, database, table)

    monkeypatch.setattr(guarded, "_metadata_sources", reading)
    for visit in ("first", "second"):
        read.clear()
        home = await guarded.client.get("/")
        refused = await guarded.client.get("/portal/tasks.json?_shape=array")
        allowed = await guarded.client.get("/portal/tasks.json?_shape=array", cookies=auditor)
        assert home.status_code == 200 and refused.status_code == 403, visit
        assert allowed.status_code == 200 and [row["code"] for row in allowed.json()] == ["001", "002", "003"], visit
        if visit == "first":
            assert read, "the rules are read on the first visit"
    assert read == []  # the second visit checked the same tables again and read no rule


async def test_a_streamed_csv_reads_the_table_in_full_pages(portal, monkeypatch):
    from datasette.database import Database

    portal.page_size = 1  # three rows: three pages, were the page size used
    await portal.invoke_startup()  # plugins patch Database at start-up: count beneath them
    queries = []
    execute = Database.execute

    async def counted(self, sql, *args, **kwargs):
        queries.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", counted)
    response = await portal.client.get("/portal/tasks.csv?_stream=on")
    assert response.status_code == 200 and len(response.text.strip().splitlines()) == 4
    assert len([sql for sql in queries if "from tasks" in sql and "order by" in sql]) == 1
    chosen = await portal.client.get("/portal/tasks.csv?_stream=on&_size=1")
    assert chosen.text == response.text


def test_any_value_of_stream_asks_for_full_pages_unless_a_size_is_chosen():
    from plugins.csv_stream import wants_full_pages

    for value in ("on", "1", "off"):  # Datasette streams on any non-empty value
        assert wants_full_pages("/portal/tasks.csv", f"_stream={value}")
    assert not wants_full_pages("/portal/tasks.csv", "_stream=")
    assert not wants_full_pages("/portal/tasks.csv", "_stream=on&_size=10")
    assert not wants_full_pages("/portal/tasks.json", "_stream=on")
