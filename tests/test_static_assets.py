"""Static files served light by the real app: gzip when asked, a year's immutable cache under hashed names, the plain
names still answered, and each page loading only the scripts it uses."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import datasette
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASETTE_STATIC = Path(datasette.__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
ASSETS = re.compile(r'(?:href|src)="(/(?:static|-/static|-/static-plugins)/[^"]+)"')


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


async def _assets(portal, path: str) -> list[str]:
    page = await portal.client.get(path)
    assert page.status_code in (200, 404), path
    return ASSETS.findall(page.text)


async def test_the_stylesheet_is_linked_by_its_hash_and_served_gzipped_for_a_year(portal):
    css = ROOT / "static" / "portal.css"
    hashed = f"/static/portal.{_digest(css)}.css"
    assert hashed in await _assets(portal, "/")
    answer = await portal.client.get(hashed, headers={"accept-encoding": "gzip, br"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == IMMUTABLE
    assert answer.headers["content-encoding"] == "gzip" and "accept-encoding" in answer.headers["vary"].lower()
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.content == css.read_bytes()  # httpx undid the gzip: the same bytes as the file
    assert int(answer.headers["content-length"]) < len(css.read_bytes()) / 2

    plain = await portal.client.get("/static/portal.css", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and plain.content == css.read_bytes()
    assert "content-encoding" not in plain.headers and plain.headers["cache-control"] == "public, max-age=300"

    again = await portal.client.get(hashed, headers={"if-none-match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    refused = await portal.client.get(hashed, headers={"accept-encoding": "gzip;q=0, deflate"})
    assert "content-encoding" not in refused.headers and refused.content == css.read_bytes()


async def test_datasette_s_and_the_plugins_files_are_hashed_too_and_unknown_names_are_404(portal):
    app_css = DATASETTE_STATIC / "app.css"
    hashed = f"/-/static/app.{_digest(app_css)}.css"
    assert hashed in await _assets(portal, "/")
    head = await portal.client.request("HEAD", hashed, headers={"accept-encoding": "gzip"})
    assert head.status_code == 200 and head.content == b"" and head.headers["cache-control"] == IMMUTABLE
    table = await _assets(portal, "/portal/tasks")
    script = f"/-/static/table.{_digest(DATASETTE_STATIC / 'table.js')}.js"
    assert script in table
    answer = await portal.client.get(script, headers={"accept-encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip" and answer.headers["cache-control"] == IMMUTABLE
    for missing in ("/static/portal.0000000000.css", "/-/static/nothing.js", "/static/../plugins/cors.py"):
        assert (await portal.client.get(missing)).status_code == 404, missing


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/datasets/tasks",
        "/search?q=nhiem+vu",
        "/api",
        "/portal/tasks/001",
        "/no-such-page",
        "/yeu-cau/gui",
        "/yeu-cau",
    ],
)
async def test_pages_without_a_chart_or_an_editor_load_no_script_and_one_stylesheet(portal, path):
    assets = await _assets(portal, path)
    assert not [url for url in assets if url.endswith(".js")], assets
    assert sorted(url.rsplit("/", 1)[1].split(".")[0] for url in assets if url.endswith(".css")) == ["app", "portal"]


async def test_only_the_sql_pages_load_the_editor_and_the_table_page_not_it(portal):
    database = await _assets(portal, "/portal")
    assert any("codemirror-5.57.0.min." in url for url in database)
    table = await _assets(portal, "/portal/tasks")
    assert not any("codemirror" in url for url in table)
    query = await _assets(portal, "/portal?sql=select+1")
    assert any("codemirror" in url for url in query)
    compressed = await portal.client.get(
        next(url for url in database if "codemirror-5.57.0.min." in url and url.endswith(".js")),
        headers={"accept-encoding": "gzip"},
    )
    raw = (DATASETTE_STATIC / "codemirror-5.57.0.min.js").read_bytes()
    assert compressed.content == raw and int(compressed.headers["content-length"]) < len(raw) / 3
