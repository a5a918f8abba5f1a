"""Revalidation keyed to the release: ETags from the release, URL and language; 304 only while they still hold."""

from __future__ import annotations

import pytest

from scripts.build.pipeline import build
from scripts.serve import command as serve


@pytest.fixture
def two_releases(data_dir, portal_metadata, tmp_path):
    first, _ = build(data_dir, tmp_path / "build", portal_metadata)
    second, _ = build(data_dir, tmp_path / "build", portal_metadata)
    return serve.app(first), serve.app(second)


@pytest.fixture
def portal(two_releases):
    return two_releases[0]


async def test_a_page_revalidates_with_304_and_an_empty_body(portal):
    first = await portal.client.get("/portal/tasks")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('W/"r0001-')
    assert "Cookie" in first.headers["vary"]
    again = await portal.client.get("/portal/tasks", headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag


@pytest.mark.parametrize("path", ["/", "/portal/tasks.json?_shape=array", "/portal/tasks.csv", "/releases.atom"])
async def test_every_kind_of_page_gets_a_validator(portal, path):
    response = await portal.client.get(path)
    assert response.status_code == 200 and response.headers["etag"]


async def test_the_tag_differs_by_url_and_language(portal):
    plain = await portal.client.get("/portal/tasks")
    filtered = await portal.client.get("/portal/tasks?unit=Công+an+tỉnh")
    english = await portal.client.get("/portal/tasks", cookies={"portal_lang": "en"})
    assert "Tasks" in english.text
    assert len({plain.headers["etag"], filtered.headers["etag"], english.headers["etag"]}) == 3


async def test_the_language_switch_is_remembered_on_a_revalidation_too(portal):
    switched = await portal.client.get("/portal/tasks?lang=en")
    again = await portal.client.get("/portal/tasks?lang=en", headers={"if-none-match": switched.headers["etag"]})
    assert again.status_code == 304
    assert "portal_lang=en" in switched.headers["set-cookie"] and "portal_lang=en" in again.headers["set-cookie"]


async def test_a_new_release_never_confirms_the_old_page(two_releases):
    old, new = two_releases
    tag = (await old.client.get("/portal/tasks")).headers["etag"]
    response = await new.client.get("/portal/tasks", headers={"if-none-match": tag})
    assert response.status_code == 200 and response.text
    assert response.headers["etag"].startswith('W/"r0002-') and response.headers["etag"] != tag


async def test_requests_with_credentials_are_never_tagged_or_confirmed(portal):
    tag = (await portal.client.get("/portal/tasks")).headers["etag"]
    response = await portal.client.get(
        "/portal/tasks", headers={"if-none-match": tag, "authorization": "Bearer not-a-real-token"}
    )
    assert response.status_code != 304 and "etag" not in response.headers


@pytest.mark.parametrize("path", ["/-/health", "/-/versions.json", "/portal/no_such_table"])
async def test_instance_pages_and_errors_get_no_tag(portal, path):
    response = await portal.client.get(path)
    assert "etag" not in response.headers


async def test_any_version_is_not_a_match_and_a_304_is_counted_by_the_rate_limiter(portal):
    assert (await portal.client.get("/portal/tasks", headers={"if-none-match": "*"})).status_code == 200
    assert (await portal.client.get("/no/such/page", headers={"if-none-match": "*"})).status_code == 404
    tag = (await portal.client.get("/portal/tasks")).headers["etag"]
    revalidated = await portal.client.get("/portal/tasks", headers={"if-none-match": tag})
    assert revalidated.status_code == 304 and "x-ratelimit-remaining" in revalidated.headers


async def test_other_settings_give_other_tags(portal, monkeypatch):
    from pathlib import Path

    monkeypatch.setitem(serve.SETTINGS, "default_page_size", 7)
    other = serve.app(Path(portal.databases["portal"].path).parent)
    assert (await portal.client.get("/portal/tasks")).headers["etag"] != (
        await other.client.get("/portal/tasks")
    ).headers["etag"]
