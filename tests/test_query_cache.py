"""Query results and schema answers on immutable databases are reused, within a budget; mutable databases and SQL a
visitor wrote never are."""

from __future__ import annotations

import asyncio
import json

import pytest

from plugins import query_cache


def fresh_cache(monkeypatch) -> query_cache.ResultCache:
    """Give the served plugin an empty cache, to see what it keeps."""
    monkeypatch.setattr(query_cache, "CACHE", query_cache.ResultCache())
    return query_cache.CACHE


@pytest.fixture
def cache(portal, monkeypatch):
    return fresh_cache(monkeypatch)


async def test_a_page_seen_twice_is_answered_from_kept_results_and_is_identical(portal, cache):
    first = await portal.client.get("/portal/tasks.json?_extra=facet_results&_extra=count")
    misses = cache.misses
    second = await portal.client.get("/portal/tasks.json?_extra=facet_results&_extra=count")
    timing = "query_ms"  # how long this request took: the one value that should differ
    assert {k: v for k, v in second.json().items() if k != timing} == {
        k: v for k, v in first.json().items() if k != timing
    }
    assert cache.hits > 0 and cache.misses == misses


async def test_different_parameters_are_different_queries(portal, cache):
    one = (await portal.client.get("/portal/tasks.json?_shape=array&unit=Công an tỉnh")).json()
    other = (await portal.client.get("/portal/tasks.json?_shape=array&unit=Sở Khoa học và Công nghệ")).json()
    assert {r["unit"] for r in one} == {"Công an tỉnh"} and {r["unit"] for r in other} == {"Sở Khoa học và Công nghệ"}


async def test_mutable_databases_are_never_kept(portal, cache):
    portal.add_memory_database("scratch")  # mutable, like the tokens database
    db = portal.get_database("scratch")
    await db.execute_write("create table t (v)")
    await db.execute_write("insert into t values (1)")
    assert (await db.execute("select count(*) from t")).single_value() == 1
    await db.execute_write("insert into t values (2)")
    assert (await db.execute("select count(*) from t")).single_value() == 2
    assert not any(key[0] == "scratch" for key in cache.entries)


def test_the_budget_drops_the_least_recently_used_results():
    class Results:
        def __init__(self, text):
            self.rows = [(text,)]

    cache = query_cache.ResultCache(budget=2200)
    for name in "abc":
        cache.put(name, Results(name * 150))
    cache.get("a")  # a is now more recent than b
    cache.put("d", Results("d" * 150))
    assert set(cache.entries) == {"a", "c", "d"} and cache.used <= 2200
    cache.put("huge", Results("x" * (query_cache.MAX_RESULT_BYTES + 1)))
    assert "huge" not in cache.entries


async def test_schema_answers_are_kept_for_immutable_databases_only(portal, cache):
    db = portal.get_database("portal")
    keys = await db.primary_keys("tasks")
    keys.append("changed by a caller")
    assert await db.primary_keys("tasks") == ["code"]
    assert (db.name, db.path, "primary_keys", ("tasks",)) in query_cache.SCHEMA_ANSWERS
    portal.add_memory_database("scratch_schema")
    scratch = portal.get_database("scratch_schema")
    await scratch.execute_write("create table t (v)")
    assert await scratch.table_columns("t") == ["v"]
    await scratch.execute_write("alter table t add column w")
    assert await scratch.table_columns("t") == ["v", "w"]


@pytest.fixture
def release(data_dir, portal_metadata, tmp_path):
    from scripts.build.pipeline import build

    return build(data_dir, tmp_path / "build", portal_metadata)[0]


async def test_each_start_up_leaves_one_cache_and_one_tie_breaker_in_front_of_sqlite(release, monkeypatch):
    """A process makes many Datasette objects (the tests do) and each start-up runs the plugins again: the SQL that
    reaches SQLite is still looked up in one cache once, kept the first time, and a sorted page still pages right."""
    from datasette.tracer import capture_traces

    from scripts.serve import command as serve

    for _ in range(3):
        await serve.app(release).invoke_startup()
    portal = serve.app(release)
    cache = fresh_cache(monkeypatch)

    def reaching_sqlite(traces: list[dict]) -> list[str]:
        """The SQL run on the release's immutable database: Datasette traces it inside the execute it ships."""
        return [trace["sql"] for trace in traces if trace["type"] == "sql" and trace["database"] == "portal"]

    page = "/portal/tasks.json?_shape=objects&_sort=unit&_size=1"
    first, second = [], []
    with capture_traces(first):
        seen = await portal.client.get(page)
    with capture_traces(second):
        again = await portal.client.get(page)
    ran = reaching_sqlite(first)
    assert any(sql.endswith("from tasks order by unit, code limit 2") for sql in ran), ran  # the tie-breaker
    assert cache.misses == len(ran)  # one lookup per query: a cache wrapped twice would miss twice
    assert reaching_sqlite(second) == [] and again.json()["rows"] == seen.json()["rows"]
    codes, url = [], page
    while url:
        data = (await portal.client.get(url)).json()
        codes += [row["code"] for row in data["rows"]]
        url = f"{page}&_next={data['next']}" if data["next"] else None
    assert sorted(codes) == ["001", "002", "003"]  # rows that tie on the unit: each once


async def test_queries_that_answer_differently_each_time_are_never_kept(portal, cache):
    answers = set()
    for _ in range(5):
        rows = (await portal.client.get("/portal.json?sql=select+random()+as+r&_shape=array")).json()
        answers.add(rows[0]["r"])
    assert len(answers) > 1
    assert not any("random()" in key[2] for key in cache.entries)


async def test_sql_a_visitor_wrote_is_run_again_each_time(portal, cache):
    # time() reads the clock with no tell-tale word in the SQL: only not keeping user SQL at all is safe.
    url = "/portal.json?sql=select+time()+as+t&_shape=array"
    first = (await portal.client.get(url)).json()[0]["t"]
    await asyncio.sleep(1.05)  # time() counts whole seconds
    second = (await portal.client.get(url)).json()[0]["t"]
    assert first != second
    assert not any("time()" in key[2] for key in cache.entries)


@pytest.fixture
def portal_with_canned_query(data_dir, portal_metadata, tmp_path):
    """The tiny build served with a canned query that reads the clock, as an administrator could declare one."""
    from scripts.build.pipeline import build
    from scripts.serve import command as serve

    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    database = metadata.setdefault("databases", {}).setdefault("portal", {})
    database.setdefault("queries", {})["clock"] = {"sql": "select time() as t, :unit as unit"}
    (release / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return serve.app(release)


async def test_a_canned_query_is_run_again_each_time(portal_with_canned_query, monkeypatch):
    app = portal_with_canned_query
    await app.invoke_startup()
    cache = fresh_cache(monkeypatch)
    url = "/portal/clock.json?_shape=array&unit=x"
    first = (await app.client.get(url)).json()[0]["t"]
    await asyncio.sleep(1.05)
    assert (await app.client.get(url)).json()[0]["t"] != first
    assert not any("time()" in key[2] for key in cache.entries)


async def test_a_table_page_with_sql_of_the_visitor_in_where_is_not_kept(portal, cache):
    response = await portal.client.get("/portal/tasks.json?_shape=array&_where=deadline+<+date()")
    assert response.status_code == 200
    assert not any("date()" in key[2] for key in cache.entries)
    await portal.client.get("/portal/tasks.json?_shape=array")
    assert any("tasks" in key[2] for key in cache.entries)  # the same table's own pages still are
