"""The CKAN Action API subset, served by a real portal process, read with the real ckanapi client and as a
harvester reads it (package_search page by page, then package_show of each)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import ckanapi
import pytest
import requests

from scripts.serve import command as serve
from scripts.serve import token_store
from scripts.serve.loopback import serving

pytestmark = pytest.mark.slow
RESTRICTED = ("vneid_accounts_pseudonymised", "online_applications_pseudonymised")


@pytest.fixture(scope="module")
def portal(sample_release, tmp_path_factory):
    """(base URL, a partner token for the first restricted dataset) of the sample release served on loopback."""
    tokens = tmp_path_factory.mktemp("ckan") / "tokens.db"
    _, token = token_store.create(tokens, "Sở Y tế", RESTRICTED[0], token_store.expiry("2099-12-31", dt.date.today()))
    with serving(lambda port: serve.command(sample_release.release, port=port, tokens=tokens)) as base:
        yield base, token


@pytest.fixture(scope="module")
def rows(portal):
    """The public catalogue table: what the API's answers are checked against."""
    base, _ = portal
    return requests.get(f"{base}/portal/catalogue.json?_shape=array", timeout=30).json()


@pytest.fixture(scope="module")
def public_ids(rows):
    return sorted(row["id"] for row in rows)


def test_the_ckanapi_client_reads_every_action(portal, public_ids, rows):
    base, _ = portal
    ckan = ckanapi.RemoteCKAN(base, user_agent="portal-tests")
    assert ckan.action.status_show()["locale_default"] == "vi"
    assert ckan.action.package_list() == public_ids and len(public_ids) == 13
    assert ckan.action.package_list(limit=3, offset=2) == public_ids[2:5]
    package = ckan.action.package_show(id="communes")
    assert package["organization"]["name"] == "so-noi-vu" and package["license_id"] == "cc-by"
    assert package["maintainer_email"] and package["resources"][0]["url"].endswith("/downloads/communes.csv")
    organizations = ckan.action.organization_list()
    assert "cong-an-tinh" in organizations
    police = ckan.action.organization_show(id="cong-an-tinh", include_datasets=True)
    assert police["package_count"] == len(police["packages"]) > 0
    assert {g["name"] for g in ckan.action.group_list(all_fields=True)} == {
        "dan-cu",
        "chuyen-doi-so",
        "cai-cach-hanh-chinh",
        "don-vi-hanh-chinh",
    }
    assert ckan.action.group_show(id="dan-cu")["package_count"] == sum(r["theme_id"] == "dan-cu" for r in rows) > 1
    assert "khai tử" in ckan.action.tag_list() and "Kế hoạch 46-KH-UBND" in ckan.action.tag_list()
    assert {lic["id"] for lic in ckan.action.license_list()} >= {"cc-by"}
    assert len(ckan.action.current_package_list_with_resources(limit=100)) == 13
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no_such_dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows="many")
    with pytest.raises(ckanapi.CKANAPIError):
        ckan.call_action("package_create", {"name": "x"})


def test_a_harvester_pages_through_package_search_then_shows_each(portal, public_ids):
    base, _ = portal
    ckan = ckanapi.RemoteCKAN(base, user_agent="harvester-test")
    names, start = [], 0
    while True:
        page = ckan.action.package_search(q="*:*", rows=5, start=start, sort="name asc")
        assert page["count"] == 13
        if not page["results"]:
            break
        names += [p["name"] for p in page["results"]]
        start += 5
    assert names == public_ids
    for name in names:
        package = ckan.action.package_show(id=name)
        [download] = [r for r in package["resources"] if r["format"] == "CSV"]
        if name == "residents_sample":  # more rows than a page: the resource is the whole table
            rows = list(csv.reader(io.StringIO(requests.get(download["url"], timeout=60).text)))
            row_count = requests.get(f"{base}/portal/catalogue/{name}.json?_shape=object", timeout=30).json()
            assert len(rows) - 1 == row_count[name]["row_count"] > 1000


def test_search_filters_sorting_and_the_rows_limit(portal, rows):
    base, _ = portal
    ckan = ckanapi.RemoteCKAN(base, user_agent="portal-tests")
    police = ckan.action.package_search(fq="organization:cong-an-tinh", rows=100)
    assert police["count"] == sum(r["publisher_id"] == "cong-an-tinh" for r in rows) > 1
    assert all(p["organization"]["name"] == "cong-an-tinh" for p in police["results"])
    both = ckan.action.package_search(fq='organization:so-tu-phap groups:dan-cu tags:"khai sinh"', rows=100)
    assert [p["name"] for p in both["results"]] == ["civil_status_by_commune_month"]
    assert ckan.action.package_search(fq="-groups:dan-cu", rows=100)["count"] == sum(
        r["theme_id"] != "dan-cu" for r in rows
    )
    assert {p["name"] for p in ckan.action.package_search(q="dich vu cong", rows=100)["results"]} >= {
        "online_procedures"
    }
    titles = [p["title"] for p in ckan.action.package_search(sort="title_string desc", rows=100)["results"]]
    assert len(titles) == 13 and titles[0] > titles[-1]
    capped = ckan.action.package_search(rows=5000)
    assert "limited to 1000" in capped["warning"] and len(capped["results"]) == 13
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="metadata_modified:[* TO NOW]")


def test_get_post_json_form_and_ckan_error_envelopes(portal):
    base, _ = portal
    for prefix in ("/api/3/action", "/api/action"):
        got = requests.get(f"{base}{prefix}/package_show?id=communes", timeout=30).json()
        posted = requests.post(f"{base}{prefix}/package_show", json={"id": "communes"}, timeout=30).json()
        form = requests.post(f"{base}{prefix}/package_show", data={"id": "communes"}, timeout=30).json()
        assert got["success"] and got == posted == form and got["help"].endswith("name=package_show")
    unknown = requests.get(f"{base}/api/3/action/package_delete", timeout=30)
    assert unknown.status_code == 400
    assert unknown.json() == {
        "help": f"{base}/api/3/action/help_show?name=package_delete",
        "success": False,
        "error": {"__type": "Bad Request", "message": "Bad request - Action name not known: package_delete"},
    }
    missing = requests.get(f"{base}/api/3/action/package_show?id=nope", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"
    for body in (b"{not json", b"[1, 2]"):
        bad = requests.post(
            f"{base}/api/3/action/package_search", data=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        assert bad.status_code == 400 and bad.json()["success"] is False
    assert requests.get(f"{base}/api/3/action/package_search?rows=-1", timeout=30).status_code == 409


def test_restricted_datasets_only_for_their_token(portal, public_ids):
    base, token = portal
    anonymous = ckanapi.RemoteCKAN(base, user_agent="portal-tests")
    everything = [
        anonymous.action.package_list(),
        anonymous.action.package_search(rows=1000),
        anonymous.action.current_package_list_with_resources(),
        anonymous.action.tag_list(),
        anonymous.action.organization_show(id="cong-an-tinh", include_datasets=True),
    ]
    assert not any(name in repr(everything) for name in RESTRICTED)
    assert "bí danh" not in anonymous.action.tag_list()  # only the restricted datasets carry it
    for name in RESTRICTED:
        with pytest.raises(ckanapi.NotFound):
            anonymous.action.package_show(id=name)
    headers = {"Authorization": f"Bearer {token}"}
    seen = requests.get(f"{base}/api/3/action/package_list", headers=headers, timeout=30).json()["result"]
    assert seen == sorted(public_ids + [RESTRICTED[0]])
    shown = requests.get(f"{base}/api/3/action/package_show?id={RESTRICTED[0]}", headers=headers, timeout=30)
    assert shown.json()["result"]["private"] is True
    other = requests.get(f"{base}/api/3/action/package_show?id={RESTRICTED[1]}", headers=headers, timeout=30)
    assert other.status_code == 404
