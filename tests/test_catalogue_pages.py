"""Home, dataset, search and API pages and the machine-readable catalogues, on a tiny inline build."""

from __future__ import annotations

import json

import pytest
from frictionless import Package, Resource, Schema

from scripts.build.pipeline import build
from scripts.serve import command as serve


async def test_home_page_is_vietnamese_with_an_english_switch(portal):
    page = await portal.client.get("/")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text and "Tập dữ liệu (1)" in page.text
    assert 'href="/datasets/tasks"' in page.text and "3 dòng" in page.text
    english = await portal.client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Datasets (1)" in english.text
    assert "portal_lang=en" in english.headers["set-cookie"]
    remembered = await portal.client.get("/", cookies={"portal_lang": "en"})
    assert '<html lang="en">' in remembered.text


async def test_home_page_groups_by_theme_or_publisher(portal):
    by_theme = (await portal.client.get("/")).text
    by_publisher = (await portal.client.get("/?by=publisher")).text
    assert "<h3>Chuyển đổi số</h3>" in by_theme
    assert "<h3>Sở Khoa học và Công nghệ</h3>" in by_publisher


async def test_dataset_page_has_dictionary_downloads_api_and_schema_org(portal):
    page = await portal.client.get("/datasets/tasks")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "46/KH-UBND",
        "CC-BY-4.0",
        "<dd>Hằng tháng</dd>",
        "<code>budget</code>",
        "triệu đồng",
        'href="/downloads/tasks.csv"',
        'href="/portal.db"',
        "curl '",
        "urllib.request",
        "fetch(",
        '"@type": "Dataset"',
        "<svg",
    ):
        assert expected in text, expected
    assert (await portal.client.get("/datasets/missing")).status_code == 404


async def test_search_finds_datasets_and_rows_without_diacritics(portal):
    text = (await portal.client.get("/search?q=dich+vu")).text
    assert "Dịch vụ công trực tuyến" in text
    assert 'for="portal-q"' in text


async def test_dcat_catalogue_has_the_required_fields(portal):
    catalog = (await portal.client.get("/catalog.jsonld")).json()
    assert catalog["@type"] == "dcat:Catalog" and catalog["dct:title"] and catalog["dct:description"]
    assert catalog["dct:publisher"]
    [dataset] = catalog["dcat:dataset"]
    assert dataset["dct:title"] and dataset["dct:description"]
    assert all(d["dcat:accessURL"] for d in dataset["dcat:distribution"])


async def test_data_json_has_the_required_fields(portal):
    catalog = (await portal.client.get("/data.json")).json()
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    [dataset] = catalog["dataset"]
    for field in (
        "title",
        "description",
        "keyword",
        "modified",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
        "distribution",
    ):
        assert dataset[field], field
    assert dataset["accessLevel"] == "public"


async def test_datapackage_validates_and_its_csv_matches_its_schema(portal, tmp_path):
    descriptor = (await portal.client.get("/datapackage.json")).json()
    report = Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["message"])
    [resource] = [r for r in descriptor["resources"] if r["format"] == "csv"]
    csv = await portal.client.get(resource["path"].replace("http://localhost", ""))
    data = Resource(data=csv.content, format="csv", schema=Schema.from_descriptor(resource["schema"]))
    checked = data.validate()
    assert checked.valid, checked.flatten(["rowNumber", "fieldName", "message"])


async def test_api_page_openapi_cors_and_robots(portal):
    assert "Link" in (await portal.client.get("/api")).text
    spec = (await portal.client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.") and "/portal/{table}.json" in spec["paths"]
    assert "/releases.atom" in spec["paths"] and "/releases.atom" in (await portal.client.get("/api")).text
    response = await portal.client.get("/portal/tasks.json")
    assert response.headers["access-control-allow-origin"] == "*"
    robots = (await portal.client.get("/robots.txt")).text
    assert "Disallow: /restricted" in robots and "Allow: /" in robots


@pytest.fixture
def labelled_release(data_dir, portal_metadata, tmp_path):
    """The tiny build, with labels and descriptions holding the separators of Datasette's one-line column form."""
    spec = data_dir / "specs" / "tasks.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            'label: {vi: "Kinh phí", en: "Budget"}, description: {vi: "Kinh phí", en: "Budget"}',
            'label: {vi: "Kinh phí — dự toán", en: "Budget: planned"}, '
            'description: {vi: "Tổng · đã duyệt [năm]", en: "Total: approved · yearly"}',
        ),
        encoding="utf-8",
    )
    return build(data_dir, tmp_path / "build", portal_metadata)[0]


async def test_column_labels_reach_the_pages_as_data_whatever_they_contain(labelled_release):
    # The pages read labels, descriptions and units as the build wrote them, not parsed back out of that line.
    table = json.loads((labelled_release / "metadata.json").read_text())["databases"]["portal"]["tables"]["tasks"]
    assert table["portal-columns"]["budget"] == {
        "label": {"vi": "Kinh phí — dự toán", "en": "Budget: planned"},
        "description": {"vi": "Tổng · đã duyệt [năm]", "en": "Total: approved · yearly"},
        "unit": "triệu đồng",
    }
    assert table["columns"]["budget"].startswith("Kinh phí — dự toán — Tổng · đã duyệt [năm] [triệu đồng]")
    app = serve.app(labelled_release)
    vietnamese = (await app.client.get("/datasets/tasks")).text
    english = (await app.client.get("/datasets/tasks?lang=en")).text
    assert "<strong>Kinh phí — dự toán</strong>: Tổng · đã duyệt [năm]" in vietnamese
    assert "<strong>Budget: planned</strong>: Total: approved · yearly" in english
    assert "<td>triệu đồng</td>" in vietnamese
