"""Concurrent clients running a fixed list of requests against one server, bounded in requests and in time.

Each client is a thread with its own connection and its own headers (the portal's clients each carry an API
token), sends one request at a time and runs the whole list `rounds` times, starting at a different request from
the others so that they do not all ask the same thing at once. A client that is told 429 does what a well-behaved
client does: it waits the `Retry-After` it was given and asks again; those answers are counted apart, as
throttled, and are neither latencies nor errors. Anything else but 200, and no answer at all, is an error. A 200
that the caller's `incomplete` test rejects (a page that left out part of its content) counts as answered, and apart
as incomplete.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from scripts.bench.stats import summary

MAX_RETRY_AFTER = 10.0  # seconds a throttled client waits at most before asking again
MAX_THROTTLED = 5  # 429s in a row after which the request is given up and counted as an error


@dataclass(frozen=True)
class Request:
    name: str
    path: str


@dataclass
class QueryStats:
    """What one query of the mix got: latencies in ms of its 200 answers, incomplete and throttled answers, errors
    by kind."""

    latencies: list[float] = field(default_factory=list)
    incomplete: int = 0
    throttled: int = 0
    errors: Counter = field(default_factory=Counter)

    def figures(self) -> dict:
        return {**summary(self.latencies), "answered": len(self.latencies), "incomplete": self.incomplete,
                "throttled": self.throttled,
                "errors": sum(self.errors.values()), "error_kinds": dict(self.errors)}


@dataclass
class MixResult:
    """A run of the mix on one server: per query stats, wall time, and whether every planned request was sent."""

    queries: dict[str, QueryStats]
    seconds: float = 0.0
    planned: int = 0
    sent: int = 0

    def merge(self, other: MixResult) -> MixResult:
        """Add another run of the same mix (runs alternate between servers, so that drift hits both alike)."""
        for name, stats in other.queries.items():
            mine = self.queries.setdefault(name, QueryStats())
            mine.latencies += stats.latencies
            mine.incomplete += stats.incomplete
            mine.throttled += stats.throttled
            mine.errors += stats.errors
        self.seconds += other.seconds
        self.planned += other.planned
        self.sent += other.sent
        return self

    def figures(self) -> dict:
        answered = sum(len(stats.latencies) for stats in self.queries.values())
        return {
            "queries": {name: stats.figures() for name, stats in self.queries.items()},
            "seconds": self.seconds, "planned": self.planned, "sent": self.sent, "answered": answered,
            "requests_per_second": answered / self.seconds if self.seconds else None,
            "incomplete": sum(stats.incomplete for stats in self.queries.values()),
            "throttled": sum(stats.throttled for stats in self.queries.values()),
            "errors": sum(sum(stats.errors.values()) for stats in self.queries.values()),
        }


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0


def _ask(client: httpx.Client, request: Request, stats: QueryStats, deadline: float,
         incomplete: Callable[[httpx.Response], bool] | None) -> None:
    """One request of the mix, asked again after each 429 while time allows."""
    for _ in range(MAX_THROTTLED):
        started = time.perf_counter()
        try:
            response = client.get(request.path)
        except httpx.HTTPError as error:
            stats.errors[type(error).__name__] += 1
            return
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            stats.latencies.append(elapsed)
            stats.incomplete += bool(incomplete and incomplete(response))
            return
        if response.status_code != 429:
            stats.errors[str(response.status_code)] += 1
            return
        stats.throttled += 1
        wait = _retry_after(response)
        if time.monotonic() + wait > deadline:
            return
        time.sleep(wait)
    stats.errors["429 every time"] += 1


def run_mix(base_url: str, requests: list[Request], clients: int,
            headers_for_client: Callable[[int], dict] = lambda n: {}, rounds: int = 1, max_seconds: float = 300,
            timeout: float = 60, incomplete: Callable[[httpx.Response], bool] | None = None) -> MixResult:
    """Run `requests` `rounds` times from each of `clients` concurrent clients, stopping at `max_seconds`."""
    result = MixResult({request.name: QueryStats() for request in requests}, planned=clients * rounds * len(requests))
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client(n: int) -> None:
        start = n * len(requests) // clients
        order = requests[start:] + requests[:start]
        mine = {request.name: QueryStats() for request in requests}
        sent = 0
        with httpx.Client(base_url=base_url, headers=headers_for_client(n), timeout=timeout) as http:
            for _ in range(rounds):
                for request in order:
                    if time.monotonic() > deadline:
                        break
                    _ask(http, request, mine[request.name], deadline, incomplete)
                    sent += 1
        with lock:
            result.merge(MixResult(mine, sent=sent))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
