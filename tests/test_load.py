"""The load generator (scripts/load.py) against a real HTTP server on loopback whose answers are chosen per path: each
client from its own address with its own token, 429s recorded and waited out per Retry-After, every bound kept.

The server is the standard library's, so that what the generator records can be compared with what it was sent; the
generator against the real portal and cluster is in tests/test_cluster_bench.py and tests/test_cluster.py.
"""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from scripts import load
from scripts.serve.loopback import free_port


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the portal behind uvicorn or nginx
    seen: list[tuple[str, str, str | None, float]] = []  # (path, client address, authorization, time.monotonic())
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        with self.lock:
            self.seen.append((self.path, self.client_address[0], self.headers.get("authorization"), time.monotonic()))
            asked = sum(path == self.path for path, *_ in self.seen)
        if self.path == "/throttled-once" and asked % 2:
            self._send(429, b"", {"Retry-After": "1"})
        elif self.path == "/throttled":
            self._send(429, b"", {"Retry-After": "0"})
        elif self.path == "/missing":
            self._send(404, b"")
        else:
            self._send(200, json.dumps({"path": self.path}).encode(), {"X-Portal-Release": "0007"})

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    _Handler.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_each_client_has_its_own_address_and_token_and_runs_its_rounds(server):
    tally = load.run_now(
        server, ["/a", "/b", "/c?{n}"], clients=3, rounds=2, tokens=["t1", "t2", "t3"], first_address=50
    )
    assert tally.planned == tally.sent == len(tally.answers) == 18 and not tally.failures
    assert {(address, token) for _, address, token, _ in _Handler.seen} == {
        ("127.0.0.50", "Bearer t1"),
        ("127.0.0.51", "Bearer t2"),
        ("127.0.0.52", "Bearer t3"),
    }
    fresh = [answer.path for answer in tally.answers if answer.query == "/c?{n}"]
    assert len(fresh) == len(set(fresh)) == 6  # "{n}" is new every time: no cache could answer
    assert [name for name, stats in tally.queries().items() if len(stats.latencies) == 6] == ["/a", "/b", "/c?{n}"]
    # Clients start at different requests of the list.
    firsts = {}
    for path, address, *_ in _Handler.seen:
        firsts.setdefault(address, path)
    assert len(set(firsts.values())) == 3


def test_a_429_is_recorded_then_waited_out_per_retry_after_and_asked_again(server):
    tally = load.run_now(server, [load.Request("page", "/throttled-once")], clients=1, rounds=1)
    throttled, answered = tally.answers
    assert (throttled.status, answered.status, tally.sent) == (429, 200, 1)
    asked = [at for path, *_, at in _Handler.seen]
    assert asked[1] - asked[0] >= 1.0  # its Retry-After
    stats = tally.queries()["page"]
    assert (len(stats.latencies), stats.throttled, sum(stats.errors.values())) == (1, 1, 0)
    assert tally.failures == [throttled]  # the cluster's tests see every 429


def test_what_keeps_failing_is_given_up_and_counted_as_an_error_of_its_kind(server):
    tally = load.run_now(
        server,
        ["/throttled", "/missing", "/incomplete"],
        clients=1,
        rounds=1,
        check=lambda path, release, response: "cut short" if path == "/incomplete" else None,
    )
    queries = tally.queries()
    assert queries["/throttled"].throttled == load.MAX_THROTTLED
    assert queries["/throttled"].errors == {load.GAVE_UP: 1}
    assert queries["/missing"].errors == {"404": 1}
    assert (len(queries["/incomplete"].latencies), queries["/incomplete"].incomplete) == (1, 1)
    assert len(tally.failures) == load.MAX_THROTTLED + 2


def test_no_answer_at_all_is_recorded_with_its_kind():
    tally = load.run_now(f"http://127.0.0.1:{free_port()}", ["/"], clients=1, rounds=1)
    [answer] = tally.answers
    assert answer.status is None and answer.error == "ConnectError" and answer.problem.startswith("ConnectError")
    assert tally.queries()["/"].errors == {"ConnectError": 1}


def test_a_run_is_bounded_in_time_in_requests_and_by_its_stop_event(server):
    started = time.monotonic()
    timed = load.run_now(server, ["/a"], clients=2, seconds=0.5, pace=0.05)
    assert 0.5 <= timed.seconds < 2 and timed.planned is None and 0 < timed.sent < 40
    counted = load.run_now(server, ["/a"], clients=2, seconds=30, max_requests=3)
    assert counted.sent == len(counted.answers) == 6
    stop, finish = load.in_background(server, ["/a"], clients=2, seconds=3600, pace=0.05, keep_alive=False)
    time.sleep(0.3)
    stopping = time.monotonic()
    stopped = finish()
    assert stop.is_set() and time.monotonic() - stopping < 1 and stopped.answers and not stopped.failures
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("options", [{"clients": 0}, {"clients": 300}, {"tokens": ["only one"]}])
def test_a_run_that_cannot_be_made_is_refused(options):
    with pytest.raises(ValueError):
        load.run_now("http://127.0.0.1:1", ["/"], **{"clients": 2, **options})
