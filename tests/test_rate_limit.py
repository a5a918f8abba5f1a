"""Per-client rate limits on the real app: 429 with Retry-After past the budget, larger budgets for verified tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from datasette.cli import inspect_

from plugins.api_tokens import new_token
from plugins.rate_limit import DEFAULTS, Budgets, budget, client_address, settings
from scripts.serve import command as serve
from scripts.serve import token_store

HEAVY = "/portal.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c"


async def _release(root: Path, plugins: dict, restricted: bool = False) -> Path:
    """A release as the build writes it, with the given plugin configuration in its metadata."""
    root.mkdir(parents=True)
    files = [root / "portal.db"]
    sqlite_utils.Database(files[0])["tasks"].insert_all(
        [{"code": f"00{i}", "unit": "Công an tỉnh"} for i in (1, 2)], pk="code"
    )
    if restricted:
        files.append(root / "restricted.db")
        sqlite_utils.Database(files[1])["health_records"].insert({"id": 1, "commune": "Hạ Long"}, pk="id")
    metadata = {"title": "Cổng dữ liệu mở", "plugins": plugins}
    (root / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    (root / "inspect.json").write_text(json.dumps(await inspect_([str(path) for path in files], None)))
    return root


def _client(portal, address: str = "203.0.113.7") -> httpx.AsyncClient:
    """An HTTP client of the app that connects from `address`, as a visitor from the Internet would."""
    # In English: the messages asserted are the English ones (docs/translations.md).
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal.app(), client=(address, 40000)),
        base_url="http://localhost",
        cookies={"portal_lang": "en"},
    )


@pytest.fixture
def limited(tmp_path):
    """The app with the limits given, from its release's metadata."""
    releases = iter(range(1, 100))

    async def limited(restricted: bool = False, **config):
        root = tmp_path / "build" / "releases" / f"{next(releases):04d}"
        release = await _release(root, {"rate-limit": config}, restricted)
        return serve.app(release, tmp_path / "state" / "tokens.db")

    return limited


def test_every_limit_and_its_default_is_documented():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "limits.md").read_text(encoding="utf-8")
    for name in DEFAULTS:
        assert f"    {name}: " in docs, name
    for name in ("sql_time_limit_ms", "max_returned_rows", "default_page_size", "facet_time_limit_ms"):
        assert f"`{name}`" in docs and name in serve.SETTINGS, name


def test_no_configuration_means_the_default_limits():
    assert {name: value for name, value in settings(None).items() if name != "trusted_proxies"} == {
        name: value for name, value in DEFAULTS.items() if name != "trusted_proxies"
    }
    assert settings({})["trusted_proxies"] == []


@pytest.mark.parametrize(
    "config",
    [
        {"rate": 0},
        {"burst": -1},
        {"rate": "fast"},
        {"concurrent": True},
        {"trusted_proxies": ["not an address"]},
        {"per_minute": 5},
    ],
)
def test_bad_configuration_is_refused(config):
    with pytest.raises(ValueError):
        settings(config)


class Clock:
    """Wall-clock time as the windows read it (`limits` keeps them by time.time()), moved only by the test."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    return clock


def test_a_window_lets_a_burst_through_and_one_more_each_time_its_oldest_request_leaves(clock):
    budgets, spend = Budgets(size=10), budget(rate=0.5, burst=3)  # 3 in any 6 s
    for _ in range(3):
        assert budgets.requests_left("a", spend) >= 1
        budgets.take("a", spend)
        clock.now += 1
    assert budgets.requests_left("a", spend) == 0 and budgets.wait("a", spend) == pytest.approx(3)
    clock.now += 3  # 6 s after the first
    assert budgets.requests_left("a", spend) == 1
    clock.now += 100
    assert budgets.requests_left("a", spend) == 3  # never more than the burst


def test_cost_fills_the_cost_window_no_further_than_its_size_and_fractions_add_up(clock):
    budgets, spend = Budgets(size=10), budget(rate=0.5, burst=3)
    for _ in range(3):
        budgets.charge("a", spend, 0.4)
    assert budgets.cost_left("a", spend) == 2 and budgets.requests_left("a", spend) == 3
    budgets.charge("a", spend, 100)
    assert budgets.cost_left("a", spend) == 0
    clock.now += 6
    assert budgets.cost_left("a", spend) == 3


def test_memory_is_bounded_the_client_seen_longest_ago_goes_first(clock):
    budgets, spend = Budgets(size=3), budget(rate=1, burst=5)
    for n in range(10):
        budgets.take(f"client-{n}", spend)
    budgets.take("client-7", spend)
    budgets.take("client-10", spend)
    assert list(budgets.keys) == ["client-9", "client-7", "client-10"]
    assert budgets.windows.get_window_stats(spend.requests, "requests", "client-8").remaining == 5  # forgotten


def _scope(peer: str, *forwarded: str) -> dict:
    return {"client": (peer, 1234), "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded]}


@pytest.mark.parametrize(
    "scope, trusted, expected",
    [
        (_scope("203.0.113.7"), [], "203.0.113.7"),
        (_scope("203.0.113.7", "198.51.100.1"), [], "203.0.113.7"),  # nobody trusted: the header is ignored
        (_scope("127.0.0.1", "198.51.100.1"), [], "127.0.0.1"),
        (_scope("127.0.0.1", "198.51.100.1"), ["127.0.0.1"], "198.51.100.1"),
        (_scope("127.0.0.1", "6.6.6.6, 198.51.100.1"), ["127.0.0.1"], "198.51.100.1"),  # a forged first hop
        (_scope("127.0.0.1", "6.6.6.6", "198.51.100.1, 10.0.0.2"), ["127.0.0.1", "10.0.0.0/8"], "198.51.100.1"),
        (_scope("127.0.0.1", "garbage"), ["127.0.0.1"], "127.0.0.1"),
        (_scope("203.0.113.7", "198.51.100.1"), ["127.0.0.1"], "203.0.113.7"),  # not through our proxy
        (_scope("2001:db8:1:2:3:4:5:6"), [], "2001:db8:1:2::/64"),  # an IPv6 subscriber counts as one
        ({"headers": []}, [], "unknown"),
    ],
)
def test_the_client_address_believes_x_forwarded_for_only_from_trusted_proxies(scope, trusted, expected):
    assert client_address(scope, settings({"trusted_proxies": trusted})["trusted_proxies"]) == expected


async def test_past_its_budget_a_client_gets_429_with_retry_after_and_rate_headers(limited):
    portal = await limited(rate=0.5, burst=3)
    async with _client(portal) as client:
        responses = [await client.get("/portal/tasks.json") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert {r.headers["x-ratelimit-limit"] for r in responses} == {"3"}
    assert 1 <= int(responses[0].headers["x-ratelimit-reset"]) <= 6  # 3 in any 6 s: the first leaves within 6 s
    refused = responses[-1]
    assert refused.json()["ok"] is False and "Too many requests" in refused.json()["error"]
    assert 1 <= int(refused.headers["retry-after"]) <= 6
    assert (
        refused.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in refused.headers["content-security-policy"]
    )


async def test_other_clients_keep_their_budget_and_static_assets_are_not_counted(limited):
    portal = await limited(rate=0.5, burst=2)
    async with _client(portal, "203.0.113.7") as first, _client(portal, "198.51.100.1") as second:
        assert [(await first.get("/portal/tasks")).status_code for _ in range(3)] == [200, 200, 429]
        assert (await first.get("/-/static/app.css")).status_code == 200
        assert (await second.get("/portal/tasks")).status_code == 200


async def test_forwarded_addresses_count_apart_only_behind_a_trusted_proxy(limited):
    for trusted, expected in (([], [200, 429]), (["127.0.0.1"], [200, 200])):
        portal = await limited(rate=0.5, burst=1, trusted_proxies=trusted)
        async with _client(portal, "127.0.0.1") as proxy:
            statuses = [
                (await proxy.get("/portal/tasks.json", headers={"X-Forwarded-For": address})).status_code
                for address in ("198.51.100.1", "198.51.100.2")
            ]
        assert statuses == expected, trusted


async def test_a_proxy_left_out_of_the_configuration_is_reported_once(limited, caplog):
    portal = await limited()
    async with _client(portal, "127.0.0.1") as proxy:
        for _ in range(3):
            await proxy.get("/portal/tasks.json", headers={"X-Forwarded-For": "198.51.100.1"})
    warnings = [record.getMessage() for record in caplog.records if "trusted_proxies" in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("127.0.0.1 forwards requests"), warnings


async def test_a_verified_token_gets_a_larger_budget_and_a_forged_one_does_not(limited, tmp_path):
    portal = await limited(restricted=True, rate=0.5, burst=2, token_factor=3)
    expires_at = token_store.expiry("2099-12-31", dt.date.today())
    _, token = token_store.create(tmp_path / "state" / "tokens.db", "Sở Y tế", "health_records", expires_at)
    valid, forged = {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {new_token()[0]}"}
    async with _client(portal) as client:
        with_token = [(await client.get("/restricted/health_records.json", headers=valid)) for _ in range(7)]
        assert [r.status_code for r in with_token] == [200] * 6 + [429]
        assert with_token[0].headers["x-ratelimit-limit"] == "6"
        # Every forged token would otherwise open a fresh bucket: it counts as the address it comes from.
        assert [(await client.get("/portal/tasks.json", headers=forged)).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]


async def test_slow_sql_costs_requests(limited):
    portal = await limited(rate=0.5, burst=5, sql_second_cost=100)
    async with _client(portal) as client:
        slow = await client.get(HEAVY + "&_timelimit=300")
        assert slow.status_code == 400 and "took too long" in slow.text  # 0.25 s beyond the free 50 ms: 25 requests
        refused = await client.get("/portal/tasks.json")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 2


async def test_a_client_is_served_one_request_at_a_time_and_may_queue_only_so_many(limited):
    portal = await limited(burst=10, sql_second_cost=0.001, waiting=1)
    async with _client(portal) as client:
        responses = await asyncio.gather(*(client.get(HEAVY + "&_timelimit=200") for _ in range(3)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [400, 400, 429], statuses  # served one after the other; the third found the queue full
    assert "waiting" in next(r for r in responses if r.status_code == 429).json()["error"]


BROWSERS = [  # 20 users on 5 browsers: behind carrier-grade NAT, users with the same phone send the same headers
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile",
    "Mozilla/5.0 (Linux; Android 14; CPH2591) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
]
PAGES = ["/portal/tasks", "/portal/tasks.json?_shape=array", "/portal/tasks?unit=C%C3%B4ng+an+t%E1%BB%89nh"]
ASSETS = ["/-/static/app.css", "/-/static/table.js"]  # what a table page pulls; not counted, but sent all the same


async def test_twenty_users_behind_one_address_are_never_refused_while_a_flood_from_it_is(limited, clock):
    portal = await limited()  # the default limits
    app = portal.app()  # one server: every request below counts in the same windows
    statuses = {"users": {}, "flood": {}}

    def count(side: str, response) -> None:
        statuses[side][response.status_code] = statuses[side].get(response.status_code, 0) + 1

    # Each user opens a page every 3 s with its assets; the flood sends 8 requests at once every 0.25 s, 32 a second.
    seconds = 30
    events = sorted(
        [
            (start + n * 3.0, "user", user)
            for user, start in ((u, u * 0.15) for u in range(20))
            for n in range(int(seconds / 3))
        ]
        + [(n * 0.25, "flood", 0) for n in range(seconds * 4)]
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        start = clock.now
        for at, who, user in events:
            clock.now = start + at
            if who == "user":
                headers = {"User-Agent": BROWSERS[user % len(BROWSERS)], "Accept-Language": "vi-VN,vi;q=0.9"}
                count("users", await client.get(PAGES[user % len(PAGES)], headers=headers))
                for asset in ASSETS:
                    count("users", await client.get(asset, headers=headers))
            else:
                for response in await asyncio.gather(*(client.get(PAGES[1]) for _ in range(8))):
                    count("flood", response)
    assert statuses["users"] == {200: 20 * 10 * 3}, statuses
    assert statuses["flood"].get(429, 0) > statuses["flood"].get(200, 0) > 0, statuses
