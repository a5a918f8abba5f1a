"""What nginx in front of the replicas does (deploy/nginx/portal.conf.template), on a real cluster on 127.0.0.1:
compression, caching keyed to the release and never for a token, the language cookie, probes never cached, and
per-client rate limits that stay those of one server however many replicas there are.
"""

from __future__ import annotations

import time

import httpx
import pytest

from plugins.rate_limit import DEFAULTS
from tests.conftest import MANIFEST, SPEC, write
from tests.served_cluster import MARKERS, cluster, publish, require_nginx

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    require_nginx()
    root = tmp_path_factory.mktemp("proxy")
    write(root / "data" / "manifest.yml", MANIFEST)
    write(root / "data" / "specs" / "tasks.yml", SPEC)
    metadata = write(root / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
    publish(root / "data", root / "build", metadata, "0001")
    with cluster(root / "build", replicas=2) as running:
        yield running.base


def client(base: str, address: str = "127.0.0.31") -> httpx.Client:
    """A visitor connecting from its own loopback address."""
    return httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_answers_are_compressed_and_name_their_release(base):
    with client(base) as visitor:
        response = visitor.get("/portal/tasks.json?_shape=array", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["x-portal-release"] == "0001"
    assert MARKERS["0001"] in {row["name"] for row in response.json()}


def test_a_cached_answer_does_not_show_another_clients_rate_limit(base):
    with client(base, "127.0.0.32") as first, client(base, "127.0.0.33") as second:
        missed = first.get("/portal/tasks.json?_size=1")
        hit = second.get("/portal/tasks.json?_size=1")
    assert missed.headers["x-cache-status"] == "MISS" and "x-ratelimit-remaining" in missed.headers
    assert hit.headers["x-cache-status"] == "HIT" and hit.text == missed.text
    assert not [name for name in hit.headers if name.startswith("x-ratelimit")]
    assert hit.headers["x-portal-release"] == "0001"


def test_nothing_sent_with_a_token_or_an_actor_cookie_is_stored_or_served_from_the_cache(base):
    path = "/portal/tasks.json?_size=2"
    token = {"Authorization": "Bearer odp_" + "0" * 64 + "-00000000"}
    with client(base) as visitor:
        assert visitor.get(path, headers=token).headers["x-cache-status"] == "BYPASS"
        assert visitor.get(path).headers["x-cache-status"] == "MISS"  # the token's answer was not stored
        assert visitor.get(path).headers["x-cache-status"] == "HIT"
        assert visitor.get(path, headers=token).headers["x-cache-status"] == "BYPASS"  # nor is the cache served
        assert visitor.get(path, headers={"Cookie": "ds_actor=x"}).headers["x-cache-status"] == "BYPASS"


def test_a_language_chosen_by_cookie_is_never_answered_from_another_languages_cache(base):
    cookies = ({}, {"Cookie": "portal_lang=en"}, {"Cookie": "other=1"}, {"Cookie": "portal_lang=en; other=2"})
    with client(base) as visitor:
        pages = [visitor.get("/portal/tasks", headers=headers) for headers in cookies]
    # Datasette marks any answer to a request with a cookie `private, no-store`: the English pages are never
    # stored, and the language in the cache key keeps them from being answered with the stored Vietnamese page.
    assert [page.headers["x-cache-status"] for page in pages] == ["MISS", "MISS", "HIT", "MISS"]
    assert ['<html lang="vi">' in page.text for page in pages] == [True, False, True, False]
    assert ['<html lang="en">' in page.text for page in pages] == [False, True, False, True]


def test_probes_are_never_cached(base):
    with client(base) as visitor:
        answers = [visitor.get(path) for path in ("/-/health", "/-/ready") * 2]
    assert [answer.status_code for answer in answers] == [200] * 4
    assert {answer.headers["cache-control"] for answer in answers} == {"no-store"}
    assert "HIT" not in {answer.headers["x-cache-status"] for answer in answers}
    assert {answer.json()["release"] for answer in answers} == {"0001"}


def test_one_client_gets_one_servers_budget_however_many_replicas(base):
    rate, burst = DEFAULTS["rate"], DEFAULTS["burst"]
    uncached = "/portal.json?_shape=array&sql=select+{n}+as+n"
    with client(base, "127.0.0.34") as flooder:
        started = time.monotonic()
        statuses = [flooder.get(uncached.format(n=n)).status_code for n in range(2 * burst)]
        # What a client writes in X-Forwarded-For is replaced by nginx: a made-up address buys no fresh budget.
        statuses += [
            flooder.get(uncached.format(n=1000 + n), headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(40)
        ]
        elapsed = time.monotonic() - started
    with client(base, "127.0.0.35") as other:
        others = other.get(uncached.format(n=2000)).status_code
    print(
        f"\none client, {len(statuses)} requests in {elapsed:.1f} s through 2 replicas: "
        f"{statuses.count(200)} answered 200, {statuses.count(429)} answered 429"
    )
    assert set(statuses) == {200, 429}
    assert statuses.count(200) <= burst + rate * elapsed + 1
    assert others == 200  # the replicas tell the clients behind nginx apart


def test_the_cache_key_names_the_release_and_the_code_generation_the_replicas_report(tmp_path):
    from scripts.serve.cluster import nginx

    text = nginx.render(tmp_path, "127.0.0.1:8001", [9001, 9002, 9003, 9004])
    key = next(line.strip() for line in text.splitlines() if line.strip().startswith('proxy_cache_key "$'))
    assert key.startswith('proxy_cache_key "$portal_release $portal_generation ')
    assert "auth_request_set $portal_release $upstream_http_x_portal_release;" in text
    assert text.count("server 127.0.0.1:") == 4  # both ports of every replica, for the cluster's whole life


def _raw_get(base: str, request: bytes, address: str) -> bytes:
    """The whole answer to `request`, sent as it is from `address`."""
    import socket

    host, port = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30, source_address=(address, 0)) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "n, hostile",
    [
        # Another port of the same host: nginx's $host drops the port, the replicas built links with it.
        (1, lambda path, port: f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:9{port}\r\nConnection: close\r\n\r\n"),
        # An absolute address in the request line and another host in the header.
        (
            2,
            lambda path, port: (
                f"GET http://127.0.0.1:{port}{path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            ),
        ),
        (3, lambda path, port: f"GET {path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
    ],
)
def test_a_request_for_another_host_never_changes_what_other_visitors_are_sent(base, n, hostile):
    port = base.rsplit(":", 1)[1]
    for path in (f"/portal/tasks.json?_size=1&_poison={n}", f"/portal/tasks?_size=1&_poison={n}"):
        poisoned = _raw_get(base, hostile(path, port).encode(), "127.0.0.36")
        assert b" 200 " in poisoned.split(b"\r\n", 1)[0], poisoned[:300]
        with client(base, "127.0.0.37") as visitor:
            answer = visitor.get(path)
        assert answer.status_code == 200
        said = answer.text + " ".join(answer.headers.get_list("link"))
        assert "evil.example" not in said and f"127.0.0.1:9{port}" not in said, (path, said[:300])
        assert f"127.0.0.1:{port}/portal" in said  # its own address, with the port it used
