"""Per-client limits: a token bucket per IP address (a larger one per API token), charged for slow SQL too, and one
request of a client served at a time.

Datasette runs SQL on a few threads and the machine has few cores: a client sending queries that run until the time
limit would otherwise keep a core busy for as long as it likes, however few requests it sends. So each second of SQL
a request runs beyond its first 50 ms costs `sql_second_cost` requests from the client's bucket.
"""

import asyncio
import contextlib
import contextvars
import ipaddress
import json
import logging
import math
import sys
import time
from collections import OrderedDict
from pathlib import Path

from datasette import hookimpl
from datasette.utils import await_me_maybe
from datasette.utils.asgi import Request

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site import compat

CONFIG = "rate-limit"
DEFAULTS = {
    "rate": 10,  # requests per second, the bucket's refill
    "burst": 60,  # the bucket's size: what a client may send at once after a quiet spell
    "token_factor": 4,  # rate and burst are this many times larger for a verified API token
    "sql_second_cost": 40,  # requests charged per second of SQL beyond FREE_SQL_SECONDS in one request
    "concurrent": 1,  # requests of one client served at a time; the others wait their turn
    "waiting": 20,  # requests of one client that may wait for their turn; beyond that, 429
    "max_clients": 10_000,  # buckets kept; the client seen longest ago is forgotten first
    "trusted_proxies": [],  # addresses or networks whose X-Forwarded-For names the client
}
FREE_SQL_SECONDS = 0.05  # an ordinary page's SQL, facets included, stays well below
log = logging.getLogger(__name__)
# Static assets cost no SQL, and a page needs several of them at once.
EXEMPT_PREFIXES = ("/-/static/", "/-/static-plugins/", "/static/", "/favicon.ico")
# Health and readiness probes (plugins/health.py): a probe refused because a busy client shares its address would
# take a healthy server out of its load balancer.
EXEMPT_PATHS = ("/-/health", "/-/ready")
# The SQL time of the request being served, added up by every query it runs (facets run in tasks of their own,
# which copy the context and so share the list).
_sql_seconds = contextvars.ContextVar("portal_sql_seconds", default=None)


def settings(config: dict | None) -> dict:
    """The limits in force: the defaults overridden by the plugin's configuration, checked."""
    merged = {**DEFAULTS, **(config or {})}
    unknown = set(merged) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"plugin {CONFIG}: unknown settings {sorted(unknown)}")
    for name in set(DEFAULTS) - {"trusted_proxies"}:
        if isinstance(merged[name], bool) or not isinstance(merged[name], (int, float)) or merged[name] <= 0:
            raise ValueError(f"plugin {CONFIG}: {name} must be a positive number, not {merged[name]!r}")
    merged["trusted_proxies"] = [ipaddress.ip_network(str(item), strict=False) for item in merged["trusted_proxies"]]
    return merged


class Buckets:
    """Token buckets by client key, at most `size` of them."""

    def __init__(self, size: int):
        self.size = size
        self.buckets = OrderedDict()  # key -> (tokens, monotonic time of the last update)

    def _refilled(self, key: str, rate: float, burst: float, now: float) -> float:
        tokens, updated = self.buckets.pop(key, (burst, now))
        return min(burst, tokens + (now - updated) * rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self.buckets[key] = (tokens, now)
        while len(self.buckets) > self.size:
            self.buckets.popitem(last=False)

    def take(self, key: str, rate: float, burst: float, now: float) -> tuple[bool, float]:
        """Take a token if there is one; returns whether it was taken and the tokens left."""
        tokens = self._refilled(key, rate, burst, now)
        allowed = tokens >= 1
        self._store(key, tokens - 1 if allowed else tokens, now)
        return allowed, tokens - 1 if allowed else tokens

    def level(self, key: str, rate: float, burst: float, now: float) -> float:
        """The tokens in the bucket, without taking any."""
        tokens = self._refilled(key, rate, burst, now)
        self._store(key, tokens, now)
        return tokens

    def charge(self, key: str, rate: float, burst: float, now: float, amount: float) -> None:
        """Take `amount` tokens more, into debt if need be, but never deeper than one burst."""
        self._store(key, max(-burst, self._refilled(key, rate, burst, now) - amount), now)


class Turns:
    """Requests of each client being served or waiting; a client with none is forgotten."""

    def __init__(self, concurrent: int, waiting: int):
        self.concurrent, self.waiting = concurrent, waiting
        self.clients = {}  # key -> [semaphore, requests being served or waiting]

    def admit(self, key: str) -> bool:
        client = self.clients.setdefault(key, [asyncio.Semaphore(self.concurrent), 0])
        if client[1] >= self.concurrent + self.waiting:
            return False
        client[1] += 1
        return True

    @contextlib.asynccontextmanager
    async def turn(self, key: str):
        """Wait for the client's turn (after `admit`), and hold it."""
        client = self.clients[key]
        try:
            async with client[0]:
                yield
        finally:
            client[1] -= 1
            if not client[1]:
                del self.clients[key]


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(scope, trusted: list) -> str:
    """The client's address: the peer's, or the one its trusted proxies name in X-Forwarded-For."""
    client = _address((scope.get("client") or ("",))[0])
    if client is None:
        return "unknown"
    forwarded = ",".join(value.decode("latin-1") for name, value in scope.get("headers") or []
                         if name == b"x-forwarded-for")
    # From the nearest hop outwards, for as long as the hop that tells is one of our proxies.
    for hop in reversed(forwarded.split(",") if forwarded else []):
        if not any(client in network for network in trusted) or _address(hop) is None:
            break
        client = _address(hop)
    if client.version == 6:
        # One IPv6 subscriber usually holds a whole /64: counting its addresses apart would multiply its budget.
        return str(ipaddress.ip_network(f"{client}/64", strict=False))
    return str(client)


def untrusted_proxy(scope, trusted: list) -> str | None:
    """The peer's address when it looks like a proxy of ours (private, forwarding) that is not configured as one."""
    peer = _address((scope.get("client") or ("",))[0])
    forwarded = any(name == b"x-forwarded-for" for name, _ in scope.get("headers") or [])
    if peer is None or not forwarded or not peer.is_private or any(peer in network for network in trusted):
        return None
    return str(peer)


async def token_actor(datasette, scope) -> str | None:
    """The id of the actor that the Authorization header proves to the authentication plugins, if any."""
    if not any(name == b"authorization" for name, _ in scope.get("headers") or []):
        return None
    try:
        for actor in compat.actors_from_request(datasette, Request(scope, None)):
            actor = await await_me_maybe(actor)
            if isinstance(actor, dict) and actor.get("id") is not None:
                return str(actor["id"])
    except Exception:
        return None  # a header the authentication plugins choke on proves nothing
    return None


def _rate_headers(burst: float, tokens: float, rate: float) -> list:
    return [(b"x-ratelimit-limit", b"%d" % burst), (b"x-ratelimit-remaining", b"%d" % max(0, math.floor(tokens))),
            (b"x-ratelimit-reset", b"%d" % math.ceil((burst - tokens) / rate))]


def _retry_after(tokens: float, rate: float) -> int:
    return max(1, math.ceil((1 - tokens) / rate))


async def too_many_requests(send, headers: list, retry_after: int, message: str):
    body = json.dumps({"ok": False, "error": message, "status": 429, "title": None}).encode("utf-8")
    headers = headers + [(b"content-type", b"application/json; charset=utf-8"), (b"retry-after", b"%d" % retry_after),
                         (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _timing(execute_fn):
    async def timed_execute_fn(self, fn):
        spent = _sql_seconds.get()
        if spent is None:
            return await execute_fn(self, fn)

        def timed(conn):
            # Timed in the SQL thread: the wait for a free thread is not the client's doing.
            started = time.perf_counter()
            try:
                return fn(conn)
            finally:
                spent[0] += time.perf_counter() - started

        return await execute_fn(self, timed)

    return timed_execute_fn


@hookimpl
def startup(datasette):
    settings(datasette.plugin_config(CONFIG))
    # Wrapped once for the process; requests outside the limiter (no context) are not timed.
    compat.wrap_database_method("execute_fn", "portal_sql_time", _timing)


@hookimpl
def asgi_wrapper(datasette):
    limits = settings(datasette.plugin_config(CONFIG))
    buckets = Buckets(int(limits["max_clients"]))
    turns = Turns(int(limits["concurrent"]), int(limits["waiting"]))
    warned = set()

    def wrap(app):
        async def limited(scope, receive, send):
            path = scope.get("path", "")
            if scope["type"] != "http" or path.startswith(EXEMPT_PREFIXES) or path in EXEMPT_PATHS:
                return await app(scope, receive, send)
            proxy = untrusted_proxy(scope, limits["trusted_proxies"])
            if proxy and proxy not in warned and len(warned) < 10:
                warned.add(proxy)  # once per address, for a few: the log must stay readable
                log.warning("%s forwards requests (X-Forwarded-For) but is not in the %s plugin's trusted_proxies: "
                            "all the clients behind it share one budget", proxy, CONFIG)
            actor = await token_actor(datasette, scope)
            key = f"actor:{actor}" if actor else client_address(scope, limits["trusted_proxies"])
            factor = limits["token_factor"] if actor else 1
            rate, burst = limits["rate"] * factor, limits["burst"] * factor
            allowed, tokens = buckets.take(key, rate, burst, time.monotonic())
            headers = _rate_headers(burst, tokens, rate)
            if not allowed:
                return await too_many_requests(send, headers, _retry_after(tokens, rate),
                                               f"Too many requests: at most {rate:g} a second, {burst:g} at once")
            if not turns.admit(key):
                return await too_many_requests(send, headers, 1, "Too many requests waiting for their turn")

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    message = dict(message, headers=list(message.get("headers") or []) + headers)
                await send(message)

            spent = [0.0]
            async with turns.turn(key):
                # Slow SQL of requests served while this one waited may have put the client in debt.
                tokens = buckets.level(key, rate, burst, time.monotonic())
                if tokens < 0:
                    return await too_many_requests(send, _rate_headers(burst, tokens, rate),
                                                   _retry_after(tokens, rate), "Too much SQL time: slow down")
                context = _sql_seconds.set(spent)
                try:
                    await app(scope, receive, send_with_headers)
                finally:
                    _sql_seconds.reset(context)
            if spent[0] > FREE_SQL_SECONDS:
                cost = (spent[0] - FREE_SQL_SECONDS) * limits["sql_second_cost"]
                buckets.charge(key, rate, burst, time.monotonic(), cost)

        return limited

    return wrap
