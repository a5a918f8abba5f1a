"""The project's one HTTP load generator: simulated clients sending GET requests to one server, bounded in time and in
requests, recording every answer (status, release in X-Portal-Release, seconds, transport errors, what a check found
wrong). `make bench` (its mix and load isolation), `make bench-cluster` and the cluster and release tests use it.

It lives beside the stages, not in one of them: the benchmark and the cluster both load servers, and neither should
import the other's internals to do so.

Each client is one connection at a time from its own loopback address (127.0.0.41, .42, ... unless told otherwise), so
that the portal's per-address limits see separate visitors; it may carry its own API token. It sends one request at a
time (closed loop), as those limits expect, optionally paced, and runs the list of requests in turn from its own
starting point, so that clients do not all ask the same thing at once. Without keep-alive every request opens a new
connection, as a new visitor would.

A client told 429 does what a well-behaved client does: the answer is recorded, then it waits the `Retry-After` it was
given and asks again, at most MAX_THROTTLED times in a row. Answers are not judged here: `Tally.failures` is what the
cluster tests call a failure, `Tally.queries()` what the benchmark counts per query.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

FIRST_ADDRESS = 41  # clients are 127.0.0.41, .42, ...: apart from the other fixed addresses of the tests and bench
MAX_REQUESTS = 20_000  # per client, whatever the time, when no number of rounds bounds it
MAX_RETRY_AFTER = 10.0  # seconds a throttled client waits at most before asking again
MAX_THROTTLED = 5  # 429s in a row after which the request is given up (GAVE_UP)
GAVE_UP = "429 every time"
HEADER = "x-portal-release"

# check(path, release, response) says what is wrong with a 200 (None: nothing).
Check = Callable[[str, str | None, httpx.Response], str | None]


@dataclass(frozen=True)
class Request:
    name: str  # what the answers are counted under
    path: str  # "{n}" in it becomes a number never used before, for requests no cache can answer


@dataclass
class Answer:
    started: float  # time.monotonic() when the request was sent
    path: str
    status: int | None  # None: no HTTP answer at all
    release: str | None
    seconds: float
    problem: str | None = None  # what the check found wrong with a 200, the transport error, or GAVE_UP with a 429
    query: str = ""  # the name of its request, its path when it has none
    error: str | None = None  # the transport error's kind (its class name)


@dataclass
class QueryStats:
    """What one request of the list got: latencies in ms of its 200s, 200s its check found something wrong with
    (incomplete), answers 429 (throttled, waited out), errors by kind (a status, a transport error, GAVE_UP)."""

    latencies: list[float] = field(default_factory=list)
    incomplete: int = 0
    throttled: int = 0
    errors: Counter = field(default_factory=Counter)


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    planned: int | None = None  # requests the rounds asked for; None when bounded only by time and MAX_REQUESTS
    sent: int = 0  # requests of the list sent; asking again after a 429 is not a new one
    names: list[str] = field(default_factory=list)  # the requests' names, in the list's order

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

    def queries(self) -> dict[str, QueryStats]:
        """Per request of the list, in its order."""
        stats = {name: QueryStats() for name in self.names}
        for answer in self.answers:
            mine = stats.setdefault(answer.query or answer.path, QueryStats())
            if answer.status == 200:
                mine.latencies.append(answer.seconds * 1000)
                mine.incomplete += bool(answer.problem)
            elif answer.status == 429:
                mine.throttled += 1
                if answer.problem == GAVE_UP:
                    mine.errors[GAVE_UP] += 1
            else:
                mine.errors[answer.error or str(answer.status)] += 1
        return stats

    def merge(self, other: Tally) -> Tally:
        """Add a run that came after this one (the benchmark alternates servers run by run, so that drift hits both
        alike): answers and counts add up, and so do seconds."""
        self.answers += other.answers
        self.seconds += other.seconds
        if other.planned is not None:
            self.planned = (self.planned or 0) + other.planned
        self.sent += other.sent
        self.names += [name for name in other.names if name not in self.names]
        return self

    @classmethod
    def side_by_side(cls, tallies: Sequence[Tally]) -> Tally:
        """Runs at the same time: their answers together, over the longest run's seconds."""
        return cls([answer for tally in tallies for answer in tally.answers], max(tally.seconds for tally in tallies))

    def summary(self) -> str:
        return (
            f"{len(self.answers)} requests in {self.seconds:.1f} s, {len(self.failures)} failed; "
            f"statuses {dict(sorted(self.statuses.items(), key=str))}; "
            f"releases {dict(sorted(self.releases.items(), key=str))}"
        )


@dataclass
class _Plan:
    """What every client of one run shares."""

    base: str
    requests: list[Request]
    clients: int
    limit: int  # requests per client
    deadline: float
    pace: float
    check: Check | None
    stop: threading.Event | None
    keep_alive: bool
    timeout: float
    tally: Tally
    counter: itertools.count = field(default_factory=itertools.count)

    def over(self) -> bool:
        return time.monotonic() > self.deadline or (self.stop is not None and self.stop.is_set())

    async def wait(self, seconds: float) -> None:
        """Sleep, but not past the end of the run."""
        until = time.monotonic() + seconds
        while not self.over() and (left := until - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.1))


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0


async def _ask(plan: _Plan, client: httpx.AsyncClient, request: Request) -> None:
    """One request of the list, asked again after each 429 while the run lasts."""
    path = request.path.replace("{n}", str(next(plan.counter))) if "{n}" in request.path else request.path
    for attempt in range(1, MAX_THROTTLED + 1):
        started = time.monotonic()
        try:
            response = await client.get(path)
        except httpx.HTTPError as error:
            plan.tally.answers.append(
                Answer(
                    started,
                    path,
                    None,
                    None,
                    time.monotonic() - started,
                    f"{type(error).__name__}: {error}",
                    request.name,
                    type(error).__name__,
                )
            )
            return
        seconds = time.monotonic() - started
        release = response.headers.get(HEADER)
        status = response.status_code
        problem = plan.check(path, release, response) if plan.check and status == 200 else None
        last = status != 429 or attempt == MAX_THROTTLED
        if status == 429 and last:
            problem = GAVE_UP
        plan.tally.answers.append(Answer(started, path, status, release, seconds, problem, request.name))
        wait = _retry_after(response)
        if last or time.monotonic() + wait > plan.deadline:
            return
        await plan.wait(wait)
        if plan.over():
            return


async def _client(plan: _Plan, number: int, address: str, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = number * len(plan.requests) // plan.clients
    order = plan.requests[start:] + plan.requests[:start]
    limits = httpx.Limits(max_keepalive_connections=1 if plan.keep_alive else 0, max_connections=1)
    transport = httpx.AsyncHTTPTransport(local_address=address, limits=limits)
    async with httpx.AsyncClient(
        base_url=plan.base, transport=transport, headers=headers, timeout=plan.timeout
    ) as client:
        for sent in range(plan.limit):
            if plan.over():
                break
            plan.tally.sent += 1
            await _ask(plan, client, order[sent % len(order)])
            if plan.pace:
                await plan.wait(plan.pace)


async def run(
    base: str,
    requests: Sequence[Request | str],
    clients: int = 8,
    seconds: float = 10,
    rounds: int | None = None,
    max_requests: int = MAX_REQUESTS,
    pace: float = 0.0,
    tokens: Sequence[str] | None = None,
    check: Check | None = None,
    stop: threading.Event | None = None,
    keep_alive: bool = True,
    first_address: int = FIRST_ADDRESS,
    timeout: float = 30,
) -> Tally:
    """Load `base` with `clients` clients for at most `seconds` (or until `stop` is set).

    `requests`: paths, or named requests whose answers are counted under their name. Each client sends them in turn,
    `rounds` times over (then `planned` is known), or else up to `max_requests`. `tokens`: one API token per client.
    `check` judges every 200. Client n connects from 127.0.0.(first_address + n).
    """
    if not requests:
        raise ValueError("no requests to send")
    if clients < 1 or not (1 < first_address and first_address + clients <= 255):
        raise ValueError(f"1 to {255 - first_address} clients from 127.0.0.{first_address} on, not {clients}")
    if tokens is not None and len(tokens) < clients:
        raise ValueError(f"{len(tokens)} tokens for {clients} clients")
    listed = [request if isinstance(request, Request) else Request(request, request) for request in requests]
    limit = rounds * len(listed) if rounds is not None else max_requests
    started = time.monotonic()
    tally = Tally(
        planned=clients * limit if rounds is not None else None,
        names=list(dict.fromkeys(request.name for request in listed)),
    )
    plan = _Plan(base, listed, clients, limit, started + seconds, pace, check, stop, keep_alive, timeout, tally)
    await asyncio.gather(
        *(
            _client(plan, number, f"127.0.0.{first_address + number}", tokens[number] if tokens else None)
            for number in range(clients)
        )
    )
    tally.seconds = time.monotonic() - started
    return tally


def run_now(base: str, requests: Sequence[Request | str], **options) -> Tally:
    """`run`, from code that is not itself asynchronous."""
    return asyncio.run(run(base, requests, **options))


def in_background(
    base: str, requests: Sequence[Request | str], **options
) -> tuple[threading.Event, Callable[[], Tally]]:
    """Start `run` in a thread; returns the event that stops it and a function that waits for its tally."""
    stop, result = threading.Event(), []

    def target():
        try:
            result.append(run_now(base, requests, stop=stop, **options))
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
