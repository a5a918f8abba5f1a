"""Codes shown with their names, and ordered categories in their order, on the real build served by the real app."""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3

import pytest

from plugins.portal_site.category_order import natural_key
from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve import token_store
from tests.code_list_data import code_list_data

pytestmark = pytest.mark.slow
COMMUNE_TABLES = [
    "residents_by_commune_sex_age",
    "vneid_registrations_by_commune_month",
    "vneid_activations_by_commune_month",
    "mobile_subscribers_by_carrier_commune",
]


@pytest.fixture(scope="module")
def app(sample_release):
    return serve.app(sample_release.release)


@pytest.fixture(scope="module")
def portal_db(sample_release):
    return sqlite3.connect(sample_release.release / "portal.db")


def names(db) -> dict[str, str]:
    return dict(db.execute("select commune_code, commune_name from communes"))


def named_cell(code: str, name: str, database: str = "portal") -> str:
    return f'<a href="/{database}/communes/{code}">{html.escape(name)}</a>&nbsp;<em>{code}</em>'


def facet_values(page: str, column: str) -> list[str]:
    block = re.search(rf'data-column="{column}">(.*?)</ul>', page, re.S)
    assert block, f"no facet {column}"
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip().rsplit(" ", 1)[0].strip(" ·")
        for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    ]


def test_every_commune_code_column_refers_to_the_communes_with_an_index(portal_db):
    for table in COMMUNE_TABLES:
        keys = portal_db.execute(f"pragma foreign_key_list([{table}])").fetchall()
        assert [(k[2], k[3], k[4]) for k in keys] == [("communes", "commune_code", "commune_code")], table
        leading = [
            portal_db.execute(f"pragma index_info([{index[1]}])").fetchone()[2]
            for index in portal_db.execute(f"pragma index_list([{table}])")
        ]
        assert "commune_code" in leading, table
        # Only the totals are not codes: every other value names a commune.
        unmatched = portal_db.execute(
            f"select distinct commune_code from [{table}] where commune_code not in (select commune_code from communes)"
        ).fetchall()
        assert unmatched == [("Tổng",)], table
    assert portal_db.execute("pragma foreign_key_list(communes)").fetchall() == []


async def test_table_pages_show_the_commune_name_beside_the_code(app, portal_db):
    known = names(portal_db)
    for table in COMMUNE_TABLES:
        code = portal_db.execute(
            f"select commune_code from [{table}] where commune_code != 'Tổng' order by 1 desc limit 1"
        ).fetchone()[0]
        page = (await app.client.get(f"/portal/{table}?commune_code={code}")).text
        assert named_cell(code, known[code]) in page, table
        facet = (await app.client.get(f"/portal/{table}?_facet=commune_code&_facet_size=max")).text
        assert known[code] in facet_values(facet, "commune_code"), table


async def test_a_row_page_shows_the_commune_name_beside_the_code(app, portal_db):
    code, sex, band = portal_db.execute(
        "select commune_code, sex, age_band from residents_by_commune_sex_age where commune_code != 'Tổng' limit 1"
    ).fetchone()
    page = await app.client.get(f"/portal/residents_by_commune_sex_age/{code},{sex},{band}")
    assert page.status_code == 200
    assert named_cell(code, names(portal_db)[code]) in page.text
    # The commune's own row lists the rows referring to it.
    commune = (await app.client.get(f"/portal/communes/{code}")).text
    assert f"/portal/residents_by_commune_sex_age?commune_code={code}" in commune


async def test_json_with_labels_gives_the_name(app, portal_db):
    known = names(portal_db)
    rows = (
        await app.client.get("/portal/mobile_subscribers_by_carrier_commune.json?_labels=on&_shape=array&_size=50")
    ).json()
    labelled = [row["commune_code"] for row in rows if isinstance(row["commune_code"], dict)]
    assert labelled and all(cell["label"] == known[cell["value"]] for cell in labelled)
    assert {row["commune_code"] for row in rows if not isinstance(row["commune_code"], dict)} <= {"Tổng"}


async def test_age_bands_come_in_the_order_of_ages(app, portal_db):
    # Sorted by default (the key: commune, sex, age band): 00-09 before 10-19 ... 90+, then the total.
    rows = (await app.client.get("/portal/residents_by_commune_sex_age.json?_shape=array&_size=40")).json()
    first = [
        row["age_band"]
        for row in rows
        if (row["commune_code"], row["sex"]) == (rows[0]["commune_code"], rows[0]["sex"])
    ]
    assert len(first) > 5 and first == sorted(first, key=natural_key) and first[-1] == "Tổng"
    page = (await app.client.get("/portal/residents_by_commune_sex_age")).text
    shown = re.findall(r'<td class="col-age_band[^"]*">([^<]*)</td>', page)
    assert shown[: len(first)] == first
    # The facet of a records table, whose counts differ: by age, not by count (JSON keeps Datasette's count order).
    facet = facet_values((await app.client.get("/portal/residents_sample")).text, "age_band")
    assert len(facet) > 10 and facet == sorted(facet, key=natural_key) and facet[:2] == ["00-04", "05-09"]
    counted = (await app.client.get("/portal/residents_sample.json?_facet=age_band&_size=0")).json()
    by_count = [value["value"] for value in counted["facet_results"]["age_band"]["results"]]
    assert sorted(by_count) == sorted(facet) and by_count != facet
    # Sorting by the column puts 05-09 before 45-49 as text does.
    sorted_rows = (await app.client.get("/portal/residents_sample.json?_shape=array&_sort=age_band&_size=1000")).json()
    bands = list(dict.fromkeys(row["age_band"] for row in sorted_rows))
    assert bands == sorted(bands, key=natural_key)


async def test_the_chart_of_an_ordered_column_is_in_its_order(app):
    page = (await app.client.get("/datasets/residents_sample")).text
    desc = re.search(r'<desc id="chart-desc">[^:]*: (.*?)</desc>', page, re.S).group(1)
    bars = [part.rsplit(" ", 1)[0] for part in desc.split("; ")]
    assert bars == sorted(bars, key=natural_key) and bars[0] == "00-04"


@pytest.fixture(scope="module")
def tier(tmp_path_factory):
    root = tmp_path_factory.mktemp("codes")
    (root / "metadata.yml").write_text("title: Cổng dữ liệu mở\n", encoding="utf-8")
    release, _ = build(code_list_data(root), root / "build", root / "metadata.yml")
    _, token = token_store.create(
        root / "tokens.db", "Sở Y tế", "visits", token_store.expiry("2099-12-31", dt.date.today())
    )
    return release, serve.app(release, root / "tokens.db"), {"Authorization": f"Bearer {token}"}


async def test_restricted_codes_show_their_names_to_a_token_linking_to_the_public_lists(tier):
    release, app, token = tier
    restricted = sqlite3.connect(release / "restricted.db")
    keys = {(k[3], k[2]) for k in restricted.execute("pragma foreign_key_list(visits)")}
    assert keys == {("commune_code", "communes"), ("procedure_code", "procedures")}
    page = (await app.client.get("/restricted/visits", headers=token)).text
    assert named_cell("07192", "Đặc khu Cô Tô") in page  # the public table, which the token holder may open
    assert '<a href="/portal/procedures/1~2E001">Đăng ký thường trú</a>&nbsp;<em>1.001</em>' in page
    assert "Không công bố" in page  # a withheld value is shown as it is
    row = (await app.client.get("/restricted/visits/V2", headers=token)).text
    assert named_cell("07192", "Đặc khu Cô Tô") in row
    rows = (await app.client.get("/restricted/visits.json?_labels=on&_shape=array", headers=token)).json()
    assert rows[0]["commune_code"] == {"value": "06652", "label": "Phường Hà Tu"}
    assert "Phường Hà Tu" in facet_values(page, "commune_code")


async def test_the_copies_of_public_lists_open_nothing_restricted(tier):
    release, app, token = tier
    for path in ("/restricted/visits", "/restricted/visits/V2", "/restricted/communes", "/restricted/communes/06652"):
        assert (await app.client.get(path)).status_code == 403, path
    # A token opens its own table, not the copies (whose rows would count the other restricted tables').
    assert (await app.client.get("/restricted/communes/06652", headers=token)).status_code == 403
    assert (await app.client.get("/portal/communes/06652")).status_code == 200
    # The copy is no restricted dataset of its own: the token holder's communes are the public ones.
    page = (await app.client.get("/datasets/communes", headers=token)).text
    assert 'href="/portal/communes"' in page and "/restricted/communes" not in page
    portal = sqlite3.connect(release / "portal.db")
    assert {"visits"} & {r[0] for r in portal.execute("select name from sqlite_master")} == set()


@pytest.mark.parametrize(
    "change, message",
    [
        ("label_column: procedure_title", "field 'label_column' names unknown columns ['procedure_title']"),
        ("primary_key: [procedure_code, procedure_name]", "field 'label_column' needs a primary key of one column"),
    ],
)
def test_a_wrong_label_column_names_the_file_and_the_field(tmp_path, change, message):
    from scripts.build.spec.manifest import ManifestError, load_spec
    from tests.code_list_data import PROCEDURES_SPEC

    field = change.split(":")[0]
    lines = [change if line.startswith(f"{field}:") else line for line in PROCEDURES_SPEC.splitlines()]
    spec = tmp_path / "procedures.yml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_spec(spec, "procedures")
    assert message in str(error.value) and "procedures.yml" in str(error.value)
