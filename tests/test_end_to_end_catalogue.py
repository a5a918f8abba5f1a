"""The catalogue pages and endpoints on the real sample build: each visitor sees only what it may read."""

from __future__ import annotations

import datetime as dt

import pytest
from frictionless import Package

from scripts.serve import command as serve
from scripts.serve import token_store

pytestmark = pytest.mark.slow
RESTRICTED = ("vneid_accounts_pseudonymised", "online_applications_pseudonymised")
LISTINGS = [
    "/",
    "/?by=publisher",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/catalog.rdf",
    "/data.json",
    "/datapackage.json",
    "/api",
    "/openapi.json",
    "/search?q=vneid",
    "/releases.atom",
    "/portal/dataset_releases.json?_size=max",
]


@pytest.fixture
def tier(sample_release, tmp_path):
    tokens = tmp_path / "tokens.db"
    _, token = token_store.create(tokens, "Sở Y tế", RESTRICTED[0], token_store.expiry("2099-12-31", dt.date.today()))
    return serve.app(sample_release.release, tokens), {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "path", LISTINGS + [f"/datasets/{name}{feed}" for name in RESTRICTED for feed in ("", "/releases.atom")]
)
async def test_anonymous_visitors_never_see_the_restricted_tier(tier, path):
    app, _ = tier
    response = await app.client.get(path)
    assert response.status_code in (200, 404), path
    assert not any(name in response.text for name in RESTRICTED), path
    assert "/restricted" not in response.text.replace("Disallow: /restricted", ""), path


async def test_a_token_sees_only_its_own_restricted_dataset(tier):
    app, headers = tier
    catalog = (await app.client.get("/catalog.jsonld", headers=headers)).json()
    ids = {d["dct:identifier"] for d in catalog["dcat:dataset"]}
    assert RESTRICTED[0] in ids and RESTRICTED[1] not in ids
    page = await app.client.get(f"/datasets/{RESTRICTED[0]}", headers=headers)
    assert page.status_code == 200 and "Authorization: Bearer" in page.text
    assert (await app.client.get(f"/datasets/{RESTRICTED[1]}", headers=headers)).status_code == 404
    feed = (await app.client.get("/releases.atom", headers=headers)).text
    assert f"/datasets/{RESTRICTED[0]}#release-1" in feed and RESTRICTED[1] not in feed


async def test_every_public_dataset_has_a_page_and_a_valid_package(tier):
    app, _ = tier
    catalogue = (await app.client.get("/portal/catalogue.json?_shape=array")).json()
    for row in catalogue:
        page = await app.client.get(f"/datasets/{row['id']}")
        assert page.status_code == 200 and '"@type": "Dataset"' in page.text, row["id"]
    descriptor = (await app.client.get("/datapackage.json")).json()
    assert {r["name"] for r in descriptor["resources"] if r["format"] == "csv"} == {row["id"] for row in catalogue}
    assert Package.validate_descriptor(descriptor).valid
    home = (await app.client.get("/")).text
    assert "Tiến độ Đề án 06" in home and "7/41" in home
    assert "<svg" in (await app.client.get("/datasets/communes")).text
