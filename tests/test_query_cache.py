"""Query results and schema answers on immutable databases are reused, within a budget; mutable databases never are."""

from __future__ import annotations

import pytest
from datasette.plugins import pm

from plugins import query_cache


def served_plugin(filename: str):
    """The plugin module Datasette loaded from plugins/ (by path: not the one `import plugins...` gives)."""
    return next(plugin for plugin in pm.get_plugins() if getattr(plugin, "__file__", "").endswith(f"/{filename}"))


def fresh_cache(monkeypatch) -> query_cache.ResultCache:
    """Give the served plugin an empty cache, to see what it keeps."""
    served = served_plugin("query_cache.py")
    monkeypatch.setattr(served, "CACHE", served.ResultCache())
    return served.CACHE


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
    served = served_plugin("query_cache.py")
    db = portal.get_database("portal")
    keys = await db.primary_keys("tasks")
    keys.append("changed by a caller")
    assert await db.primary_keys("tasks") == ["code"]
    assert (db.name, db.path, "primary_keys", ("tasks",)) in served.SCHEMA_ANSWERS
    portal.add_memory_database("scratch_schema")
    scratch = portal.get_database("scratch_schema")
    await scratch.execute_write("create table t (v)")
    assert await scratch.table_columns("t") == ["v"]
    await scratch.execute_write("alter table t add column w")
    assert await scratch.table_columns("t") == ["v", "w"]


async def test_the_cache_and_the_sort_tie_breaker_both_wrap_execute_once(portal):
    from datasette.database import Database

    await portal.invoke_startup()
    execute = Database.execute
    await portal.invoke_startup()
    assert Database.execute is execute  # a second start-up wraps nothing again
    assert getattr(execute, "portal_query_cache", False) and getattr(execute, "portal_stable_sort", False)


async def test_queries_that_answer_differently_each_time_are_never_kept(portal, cache):
    answers = set()
    for _ in range(5):
        rows = (await portal.client.get("/portal.json?sql=select+random()+as+r&_shape=array")).json()
        answers.add(rows[0]["r"])
    assert len(answers) > 1
    assert not any("random()" in key[2] for key in cache.entries)
