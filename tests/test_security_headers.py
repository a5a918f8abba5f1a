"""Security headers on every response, a CSP under which Datasette's pages work, no debug pages, no listings."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve.loopback import serving
from tests.browser import offline_browser, offline_context

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)
PAGES = [
    "/",
    "/portal",
    "/portal/tasks",
    "/portal/tasks?_facet=unit&_sort=deadline",
    "/portal/tasks/001",
    "/portal?sql=select+*+from+tasks",
    "/portal/catalogue",
    "/no-such-page",
    "/portal/tasks?_sort=name",
    "/datasets/tasks",
    "/search?q=nhiem+vu",
    "/api",
    "/?lang=en",
]
OTHER = [
    "/portal/tasks.json",
    "/portal/tasks.csv",
    "/portal.json?sql=select+1",
    "/-/static/app.css",
    "/portal.db",
    "/-/settings.json",
    "/portal/tasks.json?_sort=name",
    "/data.json",
    "/robots.txt",
    "/openapi.json",
]


@pytest.fixture
def release(data_dir, portal_metadata, tmp_path) -> Path:
    return build(data_dir, tmp_path / "build", portal_metadata)[0]


@pytest.fixture
def portal(release):
    return serve.app(release)


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES + OTHER)
async def test_every_response_has_the_security_headers(portal, path):
    response = await portal.client.get(path)
    assert response.status_code < 500, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    # Datasette's data views send the stricter no-referrer themselves; the other pages get ours.
    assert response.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    if response.headers["content-type"].startswith("text/html"):
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
    else:
        assert policy["default-src"] == ["'none'"]


@pytest.mark.parametrize("path", PAGES)
async def test_the_policy_allows_every_script_of_the_page_and_nothing_else(portal, path):
    response = await portal.client.get(path)
    script_src = _directives(response.headers["content-security-policy"])["script-src"]
    inline = INLINE_SCRIPT.findall(response.text)
    assert inline, "Datasette's pages all have inline scripts"
    for attributes, script in inline:
        if "application/ld+json" not in attributes:  # data, which browsers never run
            assert _hash(script) in script_src, script[:200]
    for source in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", response.text):
        assert source.startswith("/") and not source.startswith("//"), source  # 'self' only
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", response.text), "inline event handlers would be blocked"


async def test_a_script_injected_into_a_page_is_not_allowed(release):
    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    injected = 'alert("injected")'
    metadata["databases"]["portal"]["tables"]["tasks"]["description_html"] += f"<script>{injected}</script>"
    (release / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    response = await serve.app(release).client.get("/portal/tasks")
    assert f"<script>{injected}</script>" in response.text
    assert _hash(injected) not in response.headers["content-security-policy"]


# Documented as introspection and harmless: the limits a client must respect, its own identity, the (filtered)
# metadata and databases. The rest are debug tools or tell an attacker which versions to attack.
PUBLIC_INTROSPECTION = ["/-/settings", "/-/settings.json", "/-/actor.json", "/-/metadata.json", "/-/databases.json"]
DEBUG_PAGES = [
    "/-/versions",
    "/-/versions.json",
    "/-/plugins",
    "/-/plugins.json",
    "/-/threads",
    "/-/threads.json",
    "/-/messages",
    "/-/allow-debug",
    "/-/permissions",
    "/-/patterns",
    "/-/auth-token",
]


def test_the_pages_refused_are_documented():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "limits.md").read_text(encoding="utf-8")
    assert all(f"`{path}`" in docs for path in DEBUG_PAGES if not path.endswith(".json")), "docs/limits.md"


@pytest.mark.parametrize("path", PUBLIC_INTROSPECTION)
async def test_documented_introspection_stays_public(portal, path):
    assert (await portal.client.get(path)).status_code == 200


@pytest.mark.parametrize("path", DEBUG_PAGES)
async def test_debug_pages_are_not_found(portal, path):
    # A GET finds nothing; a POST (which some debug pages accept) is refused at the door before any page runs.
    for method, refused in (("get", 404), ("post", 405)):
        response = await getattr(portal.client, method)(path)
        assert response.status_code == refused, (method, response.text[:300])
        assert "sqlite" not in response.text.lower() and "python" not in response.text.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/-/static/",
        "/static/",
        "/-/static",
        "/static",
        "/-/static-plugins/",
        "/-/static-plugins/datasette_block_robots/",
        "/-/static/../",
    ],
)
async def test_no_directory_is_listed(portal, path):
    response = await portal.client.get(path, follow_redirects=True)
    assert response.status_code in (403, 404), response.status_code
    # Files that no page links to: only a listing would name them.
    assert "favicon.png" not in response.text and "sql-formatter" not in response.text


@pytest.mark.slow
@pytest.mark.browser
def test_chromium_reports_no_policy_violation_on_the_pages(chromium, data_dir, portal_metadata, tmp_path):
    from playwright import sync_api

    release = build(data_dir, tmp_path / "build", portal_metadata)[0]
    violations = []
    with serving(lambda port: serve.command(release, port=port)) as base, offline_browser(chromium) as browser:
        page = offline_context(browser, base).new_page()  # anything outside the portal: never fetched
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        for path in PAGES:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        page.goto(base + "/portal?sql=select+*+from+tasks")
        assert page.locator(".CodeMirror").count() == 1  # the SQL editor's script ran
        page.goto(base + "/portal/tasks")
        page.wait_for_load_state("networkidle")
        on_our_pages = list(violations)
        with pytest.raises(sync_api.Error):
            page.add_script_tag(content="window.injected = true")  # and what is not ours is refused
    assert not on_our_pages, on_our_pages
    assert violations, "the console reports violations, so none above means none happened"
