"""A bounded load of GET requests from simulated clients, each from its own loopback address, that records what every
answer was: status, release (X-Portal-Release), transport errors and answers that contradict their release.

Each client sends one request at a time (closed loop), as the portal's per-client limits expect. Every loop is bounded
in time and in requests. Used by `make bench-cluster` and by the cluster and release tests.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

FIRST_ADDRESS = 41  # clients are 127.0.0.41, .42, ...: apart from the other tests' fixed addresses
MAX_REQUESTS = 20_000  # per client, whatever the time
HEADER = "x-portal-release"


@dataclass
class Answer:
    started: float  # time.monotonic() when the request was sent
    path: str
    status: int | None  # None: no HTTP answer at all
    release: str | None
    seconds: float
    problem: str | None = None


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def statuses(self) -> Counter:
        return Counter(answer.status for answer in self.answers)

    @property
    def releases(self) -> Counter:
        return Counter(answer.release for answer in self.answers)

    @property
    def failures(self) -> list[Answer]:
        """Answers that are not a 200 with a release and nothing wrong with them."""
        return [a for a in self.answers if a.status != 200 or a.problem or not a.release]

    def summary(self) -> str:
        return (f"{len(self.answers)} requests in {self.seconds:.1f} s, {len(self.failures)} failed; "
                f"statuses {dict(sorted(self.statuses.items(), key=str))}; "
                f"releases {dict(sorted(self.releases.items(), key=str))}")


@dataclass
class _Plan:
    """What every client of one run shares."""

    base: str
    paths: list[str]
    deadline: float
    pace: float
    check: Callable | None
    stop: threading.Event | None
    keep_alive: bool
    tally: Tally
    counter: itertools.count = field(default_factory=itertools.count)

    def over(self) -> bool:
        return time.monotonic() > self.deadline or (self.stop is not None and self.stop.is_set())


async def _client(plan: _Plan, number: int, address: str, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Without keep-alive each request opens its own connection, as a new visitor would.
    limits = httpx.Limits(max_keepalive_connections=1 if plan.keep_alive else 0, max_connections=1)
    transport = httpx.AsyncHTTPTransport(local_address=address, limits=limits)
    async with httpx.AsyncClient(base_url=plan.base, transport=transport, headers=headers, timeout=30) as client:
        for request in range(MAX_REQUESTS):
            if plan.over():
                break
            path = plan.paths[(number + request) % len(plan.paths)].replace("{n}", str(next(plan.counter)))
            started = time.monotonic()
            try:
                response = await client.get(path)
            except httpx.HTTPError as error:
                plan.tally.answers.append(Answer(started, path, None, None, time.monotonic() - started,
                                                 f"{type(error).__name__}: {error}"))
            else:
                release = response.headers.get(HEADER)
                ok = response.status_code == 200
                problem = plan.check(path, release, response) if plan.check and ok else None
                plan.tally.answers.append(Answer(started, path, response.status_code, release,
                                                 time.monotonic() - started, problem))
            if plan.pace:
                await asyncio.sleep(plan.pace)


async def run(base: str, paths: list[str], clients: int = 8, seconds: float = 10, pace: float = 0.0,
              tokens: list[str] | None = None, check: Callable | None = None, stop: threading.Event | None = None,
              keep_alive: bool = True, first_address: int = FIRST_ADDRESS) -> Tally:
    """Load `base` with `clients` clients for at most `seconds` (or until `stop` is set).

    `paths` are taken in turn; "{n}" in a path becomes a number never used before, for requests no cache can answer.
    `tokens`: one API token per client. `check(path, release, response)` returns what is wrong with a 200, or None.
    Client n connects from 127.0.0.(first_address + n).
    """
    if not (1 < first_address and first_address + clients <= 255):
        raise ValueError(f"clients from 127.0.0.{first_address} on: at most {255 - first_address}")
    started = time.monotonic()
    plan = _Plan(base, paths, started + seconds, pace, check, stop, keep_alive, Tally())
    await asyncio.gather(*(
        _client(plan, number, f"127.0.0.{first_address + number}", tokens[number] if tokens else None)
        for number in range(clients)))
    plan.tally.seconds = time.monotonic() - started
    return plan.tally


def in_background(base: str, paths: list[str], **options) -> tuple[threading.Event, Callable[[], Tally]]:
    """Start `run` in a thread; returns the event that stops it and a function that waits for its tally."""
    stop, result = threading.Event(), []

    def target():
        try:
            result.append(asyncio.run(run(base, paths, stop=stop, **options)))
        except BaseException as error:  # handed to the caller of finish()
            result.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()

    def finish() -> Tally:
        stop.set()
        thread.join()
        if isinstance(result[0], BaseException):
            raise result[0]
        return result[0]

    return stop, finish
