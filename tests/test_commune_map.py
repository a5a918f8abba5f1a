"""The map by commune on dataset pages, on the real sample build and a build with several measures, real app."""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3

import pytest

from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve import token_store
from tests.code_list_data import code_list_data

pytestmark = pytest.mark.slow
# Count tables by commune: (table, count column, the table's other dimensions).
COUNT_TABLES = [
    ("residents_by_commune_sex_age", "residents", ["sex", "age_band"]),
    ("vneid_registrations_by_commune_month", "accounts", ["year", "identification_level"]),
    ("mobile_subscribers_by_carrier_commune", "subscribers", ["carrier", "standardisation_status"]),
]


@pytest.fixture(scope="module")
def app(sample_release):
    return serve.app(sample_release.release)


def section(page: str) -> str:
    found = re.search(r'<section class="commune-map".*?</section>', page, re.S)
    assert found, "no map by commune on the page"
    return found.group(0)


def marks(map_html: str) -> dict[str, str]:
    """Each mark's commune and figure, from its accessible name."""
    names = re.findall(r'<g class="mark[^"]*" tabindex="0" aria-label="([^"]*)">', map_html)
    return dict(html.unescape(name).rsplit(": ", 1) for name in names)


def table_rows(map_html: str) -> dict[str, str]:
    body = re.search(r'<details class="map-table">.*?</details>', map_html, re.S).group(0)
    return {
        html.unescape(name): value
        for name, value in re.findall(r'<tr><td>([^<]*)</td><td class="number">([^<]*)</td></tr>', body)
    }


def vi_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@pytest.mark.parametrize("table, count, others", COUNT_TABLES)
async def test_a_count_table_maps_its_published_cells_by_commune(app, sample_release, table, count, others):
    db = sqlite3.connect(sample_release.release / "portal.db")
    finest = " and ".join(f"t.{column} != 'Tổng'" for column in others)
    expected = dict(
        db.execute(
            f"select c.commune_name, sum(t.{count}) from {table} t join communes c using (commune_code) "
            f"where {finest} group by c.commune_code"
        )
    )
    hidden = db.execute(
        f"select count(*) from {table} t join communes c using (commune_code) "
        f"where {finest} and t.suppression is not null"
    ).fetchone()[0]
    assert hidden > 0  # the sample hides cells in each of these tables
    page = (await app.client.get(f"/datasets/{table}")).text
    drawn = section(page)
    assert re.search(r'<svg role="img" aria-label="Bản đồ [^"]+theo xã, phường: \d+ xã, phường" viewBox="0 0 ', drawn)
    shown = marks(drawn)
    # One mark per commune with rows; its figure the sum of the published cells only.
    assert set(shown) == set(expected)
    for name, value in expected.items():
        assert shown[name] == (vi_number(value) if value is not None else "ẩn"), name
    assert table_rows(drawn) == shown  # the table alternative says the same
    assert f"Ô bị ẩn không được tính: {hidden}." in drawn
    assert 'class="map-legend"' in drawn and drawn.count("<li>") >= 2
    assert "http" not in drawn  # nothing to fetch: no tiles, no scripts


async def test_the_map_speaks_english_with_english_numbers(app, sample_release):
    page = (await app.client.get("/datasets/residents_by_commune_sex_age?lang=en")).text
    drawn = section(page)
    assert re.search(r'aria-label="Map of Residents by commune: \d+ communes"', drawn)
    assert "Suppressed cells left out:" in drawn
    assert any("," in value for value in marks(drawn).values())


async def test_datasets_without_a_commune_dimension_have_no_map(app):
    for dataset in ("project06_tasks", "communes", "civil_status_by_commune_month"):
        assert 'class="commune-map"' not in (await app.client.get(f"/datasets/{dataset}")).text, dataset


async def test_an_unknown_measure_is_a_400_naming_the_allowed_ones(app):
    response = await app.client.get("/datasets/residents_by_commune_sex_age?measure=nope")
    assert response.status_code == 400 and "các giá trị được phép: residents" in response.text
    english = await app.client.get("/datasets/residents_by_commune_sex_age?measure=nope&lang=en")
    assert english.status_code == 400 and "allowed values: residents" in english.text


@pytest.fixture(scope="module")
def stations(tmp_path_factory):
    root = tmp_path_factory.mktemp("stations")
    (root / "metadata.yml").write_text("title: Cổng dữ liệu mở\n", encoding="utf-8")
    release, _ = build(code_list_data(root), root / "build", root / "metadata.yml")
    _, token = token_store.create(
        root / "tokens.db", "Sở Y tế", "visits", token_store.expiry("2099-12-31", dt.date.today())
    )
    return serve.app(release, root / "tokens.db"), {"Authorization": f"Bearer {token}"}


async def test_the_reader_chooses_the_measure_with_a_labelled_select(stations):
    app, _ = stations
    drawn = section((await app.client.get("/datasets/stations")).text)
    assert '<label for="map-measure">' in drawn and '<select id="map-measure" name="measure">' in drawn
    assert re.findall(r'<option value="(\w+)"', drawn) == ["staff", "visitors", "rows"]
    assert marks(drawn) == {"Phường Hà Tu": "5", "Phường Cao Xanh": "5", "Xã Quảng Tân": "1"}
    visitors = section((await app.client.get("/datasets/stations?measure=visitors")).text)
    assert '<option value="visitors" selected>' in visitors
    assert marks(visitors) == {"Phường Hà Tu": "200", "Phường Cao Xanh": "40", "Xã Quảng Tân": "1.000"}
    assert marks(section((await app.client.get("/datasets/stations?measure=rows")).text))["Phường Hà Tu"] == "2"
    assert "Ô bị ẩn" not in drawn  # published as delivered: nothing suppressed to report


async def test_a_restricted_table_is_mapped_for_its_token_only(stations):
    app, token = stations
    drawn = section((await app.client.get("/datasets/visits", headers=token)).text)
    assert marks(drawn) == {"Phường Hà Tu": "1", "Đặc khu Cô Tô": "2"}
    assert (await app.client.get("/datasets/visits")).status_code == 404
