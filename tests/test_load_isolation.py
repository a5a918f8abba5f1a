"""One client flooding requests or running heavy SQL is limited, ordinary clients beside it are all answered, and
nothing answers 5xx.

A real server (`serve.command`, default limits) on 127.0.0.1 serves a tiny build; ordinary clients from their own
loopback addresses fetch pages while an abusive client (scripts/bench/abuse.py) runs beside them. Nothing here is
timed: how much the abuse slows the others down is measured by `make bench` (docs/benchmarks.md), where a busy
machine cannot fail the test suite.
"""

from __future__ import annotations

import json

import pytest

from scripts.bench.isolation import finish_abuse, ordinary_paths, ordinary_window, start_abuse

WINDOW_SECONDS = 1.5


@pytest.fixture
def served(data_dir, portal_metadata, tmp_path):
    from scripts.build.pipeline import build
    from scripts.serve import command as serve
    from scripts.serve.loopback import serving

    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    with serving(lambda port: serve.command(release, port=port)) as base:
        yield base, ordinary_paths(release)


def _beside_abuse(base: str, paths: list[str], mode: str) -> tuple[dict, dict]:
    abuser = start_abuse(base, mode, WINDOW_SECONDS + 0.5, paths[1])
    _, ordinary = ordinary_window(base, paths, WINDOW_SECONDS)
    return ordinary, finish_abuse(abuser)


@pytest.mark.slow
def test_a_flood_gets_429_with_its_headers_and_ordinary_clients_are_all_answered(served):
    base, paths = served
    ordinary, abusive = _beside_abuse(base, paths, "flood")
    assert set(ordinary) == {200}, ordinary
    statuses = {int(status) for status in abusive["statuses"]}
    assert 429 in statuses and not {status for status in statuses if status >= 500}, abusive["statuses"]
    headers = abusive["limited_headers"]
    assert int(headers["retry-after"]) >= 1
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(headers), headers


@pytest.mark.slow
def test_heavy_sql_is_stopped_by_the_time_limit_without_a_5xx_and_ordinary_clients_are_all_answered(served):
    base, paths = served
    ordinary, abusive = _beside_abuse(base, paths, "heavy-sql")
    assert set(ordinary) == {200}, ordinary
    statuses = {int(status) for status in abusive["statuses"]}
    # The heavy SQL counts for ever: only the time limit ends it (400), or the rate limit refuses it first (429).
    # A 200 would mean a query ran to its end, a 5xx that stopping it broke something.
    assert 400 in statuses and statuses <= {400, 429}, abusive["statuses"]
    stopped = json.loads(abusive["bodies"]["400"])
    # in the portal's default language: the abusive client chose none
    assert stopped["ok"] is False and "Truy vấn chạy quá lâu nên đã bị dừng" in stopped["error"], stopped
    assert stopped["title"] == "Truy vấn SQL bị dừng"  # the English page names the setting, sql_time_limit_ms
