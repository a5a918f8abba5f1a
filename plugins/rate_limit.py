"""Per-client limits: moving windows of requests and of cost (slow SQL, bytes sent) per client, larger ones per API
token, wider ones for all the clients of one address together, and one request of a client served at a time.

Datasette runs SQL on a few threads and the machine has few cores: a client sending queries that run until the time
limit would otherwise keep a core busy for as long as it likes, however few requests it sends. So each second of SQL
a request runs beyond its first 50 ms costs `sql_second_cost` requests, and each megabyte it sends beyond its first
costs `megabyte_cost`, from the client's cost window.

Many mobile users reach the portal through carrier-grade NAT, one IPv4 address for many of them: a client is its
address and its browser (User-Agent, Accept-Language), and the address as a whole has `address_factor` clients'
requests and turns, and `address_cost_factor` clients' cost. The windows are kept by the `limits` library.
"""

import asyncio
import contextlib
import contextvars
import hashlib
import ipaddress
import json
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from datasette import hookimpl
from datasette.utils import await_me_maybe
from datasette.utils.asgi import Request
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from .portal_site import compat, error_pages

CONFIG = "rate-limit"
DEFAULTS = {
    "rate": 10,  # requests per second on average: `burst` in any window of burst / rate seconds
    "burst": 60,  # what a client may send at once after a quiet spell
    "token_factor": 4,  # rate and burst are this many times larger for a verified API token
    "sql_second_cost": 40,  # requests charged per second of SQL beyond FREE_SQL_SECONDS in one request
    "megabyte_cost": 10,  # requests charged per megabyte one response sends beyond FREE_BYTES
    "concurrent": 1,  # requests of one client served at a time; the others wait their turn
    "waiting": 20,  # requests of one client that may wait for their turn; beyond that, 429
    "address_factor": 10,  # all the clients of one address together: this many clients' requests and turns
    "address_cost_factor": 2,  # ... and this many clients' cost (SQL time, bytes)
    "max_clients": 10_000,  # clients and addresses remembered; the one seen longest ago is forgotten first
    "trusted_proxies": [],  # addresses or networks whose X-Forwarded-For names the client
}
FREE_SQL_SECONDS = 0.05  # an ordinary page's SQL, facets included, stays well below
FREE_BYTES = 1_000_000  # an ordinary page, its JSON or a filtered CSV stays well below
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


@dataclass(frozen=True)
class Budget:
    """What one kind of client may spend: requests, and cost in requests, each as a moving window."""

    rate: float
    burst: float
    requests: RateLimitItem
    cost: RateLimitItem


def budget(rate: float, burst: float, cost_share: float = 1) -> Budget:
    """`burst` requests in any window of burst / rate seconds (`rate` a second on average), and `cost_share` times
    as much cost in the same window."""
    seconds = max(1, math.ceil(burst / rate))
    return Budget(
        rate,
        burst,
        RateLimitItemPerSecond(max(1, int(burst)), seconds),
        RateLimitItemPerSecond(max(1, int(burst * cost_share)), seconds),
    )


class Budgets:
    """Requests and cost by key, in `limits`' moving windows kept in memory, for at most `size` keys."""

    def __init__(self, size: int):
        self.size = size
        self.windows = MovingWindowRateLimiter(MemoryStorage())
        self.keys = OrderedDict()  # key -> [its budget, the fraction of a cost unit not charged yet]

    def _seen(self, key: str, budget: Budget) -> list:
        entry = self.keys.pop(key, None) or [budget, 0.0]
        self.keys[key] = entry
        while len(self.keys) > self.size:
            forgotten, (old, _) = self.keys.popitem(last=False)
            self.windows.clear(old.requests, "requests", forgotten)
            self.windows.clear(old.cost, "cost", forgotten)
        return entry

    def requests_left(self, key: str, budget: Budget) -> int:
        self._seen(key, budget)
        return self.windows.get_window_stats(budget.requests, "requests", key).remaining

    def cost_left(self, key: str, budget: Budget) -> int:
        self._seen(key, budget)
        return self.windows.get_window_stats(budget.cost, "cost", key).remaining

    def take(self, key: str, budget: Budget) -> None:
        """Count one request (after `requests_left` said there is room for it)."""
        self._seen(key, budget)
        self.windows.hit(budget.requests, "requests", key)

    def charge(self, key: str, budget: Budget, amount: float) -> None:
        """Count `amount` requests' worth of cost, as much of it as the window has room for: a client whose window
        is full waits for it to empty, however much more it spent."""
        entry = self._seen(key, budget)
        entry[1] += amount
        units = min(int(entry[1]), self.cost_left(key, budget))
        entry[1] -= int(entry[1])
        if units > 0:
            self.windows.hit(budget.cost, "cost", key, cost=units)

    def wait(self, key: str, budget: Budget, kind: str = "requests") -> float:
        """Seconds until the oldest request (or cost) counted in the window leaves it."""
        item = budget.requests if kind == "requests" else budget.cost
        return max(0.0, self.windows.get_window_stats(item, kind, key).reset_time - time.time())


class Turns:
    """Requests of each client being served or waiting; a client with none is forgotten."""

    def __init__(self, concurrent: int, waiting: int):
        self.concurrent, self.waiting = concurrent, waiting
        self.clients = {}  # key -> [semaphore, requests being served or waiting]

    def full(self, key: str) -> bool:
        client = self.clients.get(key)
        return client is not None and client[1] >= self.concurrent + self.waiting

    def admit(self, key: str) -> bool:
        if self.full(key):
            return False
        client = self.clients.setdefault(key, [asyncio.Semaphore(self.concurrent), 0])
        client[1] += 1
        return True

    def leave(self, key: str) -> None:
        """A request admitted leaves, served or not."""
        client = self.clients[key]
        client[1] -= 1
        if not client[1]:
            del self.clients[key]

    @contextlib.asynccontextmanager
    async def turn(self, key: str):
        """Wait for the client's turn (after `admit`), and hold it."""
        try:
            async with self.clients[key][0]:
                yield
        finally:
            self.leave(key)


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
    forwarded = ",".join(
        value.decode("latin-1") for name, value in scope.get("headers") or [] if name == b"x-forwarded-for"
    )
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


def browser(scope) -> str:
    """Which of the clients sharing an address sent the request: its browser, as its User-Agent and Accept-Language
    describe it (hashed, so that a key stays short whatever the headers hold)."""
    described = {
        name: value for name, value in scope.get("headers") or [] if name in (b"user-agent", b"accept-language")
    }
    text = described.get(b"user-agent", b"") + b"\n" + described.get(b"accept-language", b"")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def _rate_headers(limit: float, remaining: int, reset: float) -> list:
    return [
        (b"x-ratelimit-limit", b"%d" % limit),
        (b"x-ratelimit-remaining", b"%d" % max(0, remaining)),
        (b"x-ratelimit-reset", b"%d" % math.ceil(reset)),
    ]


COST_MESSAGE = "Too much SQL time or data sent: slow down"


class Limits:
    """The windows and turns of every client and address, and what to refuse."""

    def __init__(self, config: dict):
        self.config = config
        factor, tokens = config["address_factor"], config["token_factor"]
        self.budgets = Budgets(int(config["max_clients"]))
        self.turns = Turns(int(config["concurrent"]), int(config["waiting"]))
        self.address_turns = Turns(max(1, int(config["concurrent"] * factor)), max(1, int(config["waiting"] * factor)))
        self.client = budget(config["rate"], config["burst"])
        self.token = budget(config["rate"] * tokens, config["burst"] * tokens)
        self.address = budget(config["rate"] * factor, config["burst"] * factor, config["address_cost_factor"] / factor)

    def too_many(self, client: str, spend: Budget, address: str | None) -> tuple[str, float] | None:
        """Why a new request is refused, and for how many seconds, or None: the client's requests, then those of its
        address together."""
        if self.budgets.requests_left(client, spend) < 1:
            return (
                f"Too many requests: at most {spend.rate:g} a second, {spend.burst:g} at once",
                self.budgets.wait(client, spend),
            )
        if address is not None and self.budgets.requests_left(address, self.address) < 1:
            return (
                f"Too many requests from this address: at most {self.address.rate:g} a second, "
                f"{self.address.burst:g} at once",
                self.budgets.wait(address, self.address),
            )
        return None

    def too_costly(self, client: str, spend: Budget, address: str | None, new: bool) -> tuple[str, float] | None:
        """Why a request is refused for what was spent before it (SQL time, bytes), or None. When the clients of an
        address together have spent its cost window, those of them that spent some, and clients new to it, wait;
        those that spent none are still served."""
        if self.budgets.cost_left(client, spend) < 1:
            return COST_MESSAGE, self.budgets.wait(client, spend, "cost")
        if (
            address is not None
            and self.budgets.cost_left(address, self.address) < 1
            and (new or self.budgets.cost_left(client, spend) < spend.cost.amount)
        ):
            return COST_MESSAGE, self.budgets.wait(address, self.address, "cost")
        return None

    def charge(self, client: str, spend: Budget, address: str | None, sql_seconds: float, sent: int) -> None:
        cost = (
            max(0.0, sql_seconds - FREE_SQL_SECONDS) * self.config["sql_second_cost"]
            + max(0, sent - FREE_BYTES) / 1_000_000 * self.config["megabyte_cost"]
        )
        if cost > 0:
            self.budgets.charge(client, spend, cost)
            if address is not None:
                self.budgets.charge(address, self.address, cost)


async def too_many_requests(send, headers: list, retry_after: int, message: str, datasette=None, scope=None):
    # In the reader's language; a page for a browser, JSON for everything else.
    message = error_pages.translate(message)
    if datasette is not None and scope is not None and error_pages.wants_html(scope):
        body, kind = await error_pages.page(datasette, 429, message), b"text/html; charset=utf-8"
    else:
        body = json.dumps({"ok": False, "error": message, "status": 429, "title": None}).encode("utf-8")
        kind = b"application/json; charset=utf-8"
    headers = headers + [
        (b"content-type", kind),
        (b"retry-after", b"%d" % retry_after),
        (b"cache-control", b"no-store"),
    ]
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


def middleware(datasette):
    config = settings(datasette.plugin_config(CONFIG))
    limits = Limits(config)
    budgets = limits.budgets
    warned = set()

    def wrap(app):
        async def limited(scope, receive, send):
            path = scope.get("path", "")
            if scope["type"] != "http" or path.startswith(EXEMPT_PREFIXES) or path in EXEMPT_PATHS:
                return await app(scope, receive, send)
            proxy = untrusted_proxy(scope, config["trusted_proxies"])
            if proxy and proxy not in warned and len(warned) < 10:
                warned.add(proxy)  # once per address, for a few: the log must stay readable
                log.warning(
                    "%s forwards requests (X-Forwarded-For) but is not in the %s plugin's trusted_proxies: "
                    "all the clients behind it share one budget",
                    proxy,
                    CONFIG,
                )
            actor = await token_actor(datasette, scope)
            if actor:
                client, address, spend = f"actor:{actor}", None, limits.token
            else:
                address = client_address(scope, config["trusted_proxies"])
                client, spend = f"{address} {browser(scope)}", limits.client
            new = budgets.requests_left(client, spend) >= spend.requests.amount
            refused = limits.too_many(client, spend, address) or limits.too_costly(client, spend, address, new)
            if refused:
                message, wait = refused
                headers = _rate_headers(spend.burst, budgets.requests_left(client, spend), budgets.wait(client, spend))
                return await too_many_requests(send, headers, max(1, math.ceil(wait)), message, datasette, scope)
            budgets.take(client, spend)
            if address is not None:
                budgets.take(address, limits.address)
            headers = _rate_headers(spend.burst, budgets.requests_left(client, spend), budgets.wait(client, spend))
            if limits.turns.full(client) or (address is not None and limits.address_turns.full(address)):
                return await too_many_requests(
                    send, headers, 1, "Too many requests waiting for their turn", datasette, scope
                )
            limits.turns.admit(client)
            if address is not None:
                limits.address_turns.admit(address)
            sent, spent = [0], [0.0]

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    message = dict(message, headers=list(message.get("headers") or []) + headers)
                elif message["type"] == "http.response.body":
                    sent[0] += len(message.get("body") or b"")
                await send(message)

            async def serve():
                # Slow SQL or large answers of requests served while this one waited may have used up the window.
                refused = limits.too_costly(client, spend, address, new)
                if refused:
                    return await too_many_requests(
                        send,
                        _rate_headers(spend.burst, budgets.requests_left(client, spend), budgets.wait(client, spend)),
                        max(1, math.ceil(refused[1])),
                        refused[0],
                        datasette,
                        scope,
                    )
                context = _sql_seconds.set(spent)
                try:
                    await app(scope, receive, send_with_headers)
                finally:
                    _sql_seconds.reset(context)

            # The client's turn first, then its address's: requests waiting for their client's turn hold none of the
            # address's, so a client with many requests queued cannot keep the others of its address waiting.
            address_turn = False
            try:
                async with limits.turns.turn(client):
                    if address is None:
                        await serve()
                    else:
                        address_turn = True
                        async with limits.address_turns.turn(address):
                            await serve()
            finally:
                if address is not None and not address_turn:
                    limits.address_turns.leave(address)
            limits.charge(client, spend, address, spent[0], sent[0])

        return limited

    return wrap
