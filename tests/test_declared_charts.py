"""Charts declared in the specs, drawn by the real app on the real build of the small sample.

What is checked against the release's own SQLite file, not against the drawing code: which points are hidden,
which are sums of published cells, and the numbers each language writes.
"""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pytest
from datasette.app import Datasette
from markupsafe import escape

from plugins.portal_site import charts
from plugins.portal_site.chart_view import views
from plugins.portal_site.contract import MARGIN, TABLE_CHARTS
from scripts.serve import command as serve

SVG = re.compile(r'<svg class="declared-chart".*?</svg>', re.DOTALL)
HIDDEN_VI, HIDDEN_EN = "bị ẩn để bảo vệ dữ liệu cá nhân", "hidden to protect personal data"


@pytest.fixture(scope="module")
def app(sample_release):
    return serve.app(sample_release.release)


@pytest.fixture(scope="module")
def release_tables(sample_release):
    metadata = json.loads((sample_release.release / "metadata.json").read_text(encoding="utf-8"))
    return {name: table for name, table in metadata["databases"]["portal"]["tables"].items() if table.get(TABLE_CHARTS)}


@pytest.fixture(scope="module")
def db(sample_release):
    connection = sqlite3.connect(sample_release.release / "portal.db")
    yield connection
    connection.close()


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(text) for text in SVG.findall(page)]


def data_table(page: str, title: str) -> dict[str, list[str]]:
    """The fallback table captioned `title`: row header -> cells."""
    table = page[page.index(f"<caption>{escape(title)}</caption>") :]
    table = table[: table.index("</table>")]
    return {
        header: re.findall(r"<td>(.*?)</td>", cells)
        for header, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table)
    }


def test_the_expected_datasets_declare_their_charts(release_tables):
    kinds = {name: [chart["type"] for chart in table[TABLE_CHARTS]] for name, table in release_tables.items()}
    assert kinds == {
        "vneid_registrations_by_commune_month": ["line"],
        "vneid_activations_by_commune_month": ["line"],
        "civil_status_by_commune_month": ["line"],
        "residents_by_commune_sex_age": ["pyramid"],
        "deaths_by_age_band": ["bars"],
        "mobile_subscribers_by_carrier_commune": ["bars", "stacked"],
        "online_applications_by_channel_quarter": ["stacked"],
        "online_applications_by_procedure_year": ["bars"],
    }


async def test_every_declared_chart_is_an_accessible_svg_and_replaces_the_generic_chart(app, release_tables, db):
    for name, table in release_tables.items():
        columns = [row[1] for row in db.execute(f"pragma table_info([{name}])")]
        for chart in table[TABLE_CHARTS]:  # named as published, after any coarser level the build chose
            assert {chart["x"], chart["y"], chart["series"] or chart["x"]} <= set(columns), (name, chart)
        for lang, key in (("vi", "vi"), ("en", "en")):
            page = await app.client.get(f"/datasets/{name}?lang={lang}")
            assert page.status_code == 200
            drawn = svgs(page.text)
            assert len(drawn) == len(table[TABLE_CHARTS]), name
            for svg, chart in zip(drawn, table[TABLE_CHARTS]):
                ns = "{http://www.w3.org/2000/svg}"
                assert svg.get("role") == "img"
                title_id, desc_id = svg.get("aria-labelledby").split()
                assert svg.find(f"{ns}title").get("id") == title_id and svg.find(f"{ns}desc").get("id") == desc_id
                assert svg.find(f"{ns}title").text == chart["title"][key]
                assert svg.get("viewBox").startswith("0 0 340 ")
                sizes = [float(text.get("font-size")) for text in svg.iter(f"{ns}text")]
                assert sizes and min(sizes) >= 12, (name, min(sizes))
                assert f"<caption>{escape(chart['title'][key])}</caption>" in page.text  # the table behind it
            assert 'id="chart-heading"' not in page.text  # the generic "rows by" chart is gone
            assert "<script src=" not in page.text  # drawn as SVG on the server: no chart script


async def test_pages_without_a_declared_chart_keep_the_generic_one(app):
    page = await app.client.get("/datasets/project06_tasks")
    assert 'id="chart-heading"' in page.text and "declared-chart" not in page.text


def expected_points(db, table: str, x: str, y: str, others: list[str]) -> dict[str, tuple[str, int | None, int]]:
    """Per category of x, read straight from the release: (state, value, hidden cells summed over)."""
    out = {}
    for (category,) in db.execute(f"select distinct [{x}] from [{table}] where [{x}] != ?", [MARGIN]):
        where = " and ".join(f"[{c}] = ?" for c in others)
        margin = db.execute(
            f"select [{y}], suppression from [{table}] where [{x}] = ? and {where}", [category, *[MARGIN] * len(others)]
        ).fetchone()
        if margin and margin[1] is None:
            out[category] = ("ok", margin[0], 0)
            continue
        finest = " and ".join(f"[{c}] != ?" for c in others)
        cells = db.execute(
            f"select [{y}], suppression from [{table}] where [{x}] = ? and {finest}",
            [category, *[MARGIN] * len(others)],
        ).fetchall()
        published = [value for value, hidden in cells if hidden is None]
        hidden = sum(1 for _, reason in cells if reason is not None)
        state = "hidden" if not published else "partial" if hidden else "ok"
        out[category] = (state, sum(published) if published else None, hidden)
    return out


async def test_hidden_cells_are_drawn_and_said_to_be_hidden_never_zero(app, db):
    expected = expected_points(db, "deaths_by_age_band", "age_band", "deaths", ["year", "sex"])
    hidden = [band for band, (state, _, _) in expected.items() if state == "hidden"]
    assert hidden, "the sample no longer hides a band of deaths: choose a chart that does"
    for lang, words in (("vi", HIDDEN_VI), ("en", HIDDEN_EN)):
        page = await app.client.get(f"/datasets/deaths_by_age_band?lang={lang}")
        svg = svgs(page.text)[0]
        marks = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "suppressed"]
        assert len(marks) == sum(1 for state, _, _ in expected.values() if state != "ok")
        assert all("hatch" in mark.get("fill") for mark in marks)
        assert words in page.text  # the legend entry
        title = "Số người mất theo nhóm tuổi khi mất" if lang == "vi" else "Deaths by age band at death"
        rows = data_table(page.text, title)
        assert list(rows) == sorted(rows, key=charts.natural_key)  # age bands in their natural order
        for band, (state, value, count) in expected.items():
            cell = rows[band][0]
            if state == "hidden":
                assert cell == words and "0" not in cell
            elif state == "partial":
                assert cell.startswith("ít nhất" if lang == "vi" else "at least") and str(count) in cell
            else:
                assert cell == (f"{value:,}".replace(",", ".") if lang == "vi" else f"{value:,}")


async def test_numbers_are_written_in_the_readers_language(app, db):
    value = db.execute(
        "select residents from residents_by_commune_sex_age where commune_code = ? and sex = ? "
        "and age_band = ? and suppression is null",
        [MARGIN, "Nam", "00-09"],
    ).fetchone()[0]
    assert value >= 1000
    vi = (await app.client.get("/datasets/residents_by_commune_sex_age?lang=vi")).text
    en = (await app.client.get("/datasets/residents_by_commune_sex_age?lang=en")).text
    assert f">{value:,}<".replace(",", ".") in vi and f">{value:,}<" not in vi
    assert f">{value:,}<" in en and f">{value:,}<".replace(",", ".") not in en


def test_categories_come_in_their_natural_order():
    bands = ["10-14", "90+", "0-4", "5-9", "85-89", "15-19"]
    assert sorted(bands, key=charts.natural_key) == ["0-4", "5-9", "10-14", "15-19", "85-89", "90+"]
    assert sorted(["2024-Q2", "2023-Q4", "2024-Q1"], key=charts.natural_key) == ["2023-Q4", "2024-Q1", "2024-Q2"]
    assert sorted(["2024-10", "2024-02", "2023-12"], key=charts.natural_key) == ["2023-12", "2024-02", "2024-10"]
    assert charts.ordered({"Nữ", "Nam"}, {"categories": ["Nam", "Nữ"]}) == ["Nam", "Nữ"]


async def test_a_sum_over_a_dimension_adds_only_published_cells_and_says_what_it_left_out(tmp_path):
    """A hidden margin is replaced by the sum of the published cells, shown as a lower bound with its hidden cells."""
    path = tmp_path / "counts.db"
    connection = sqlite3.connect(path)
    connection.execute("create table t (area text, quarter text, n integer, suppression text)")
    connection.executemany(
        "insert into t values (?, ?, ?, ?)",
        [
            (MARGIN, "2024-Q1", 50, None),
            ("A", "2024-Q1", 30, None),
            ("B", "2024-Q1", 20, None),
            (MARGIN, "2024-Q2", None, "secondary"),
            ("A", "2024-Q2", 40, None),
            ("B", "2024-Q2", None, "primary"),
            ("C", "2024-Q2", 12, None),
            (MARGIN, "2024-Q3", None, "secondary"),
            ("A", "2024-Q3", None, "primary"),
            ("B", "2024-Q3", None, "primary"),
            (MARGIN, MARGIN, 130, None),
        ],
    )
    connection.commit()
    connection.close()
    datasette = Datasette([str(path)])
    declaration = {
        "type": "bars",
        "x": "quarter",
        "y": "n",
        "series": None,
        "limit": 12,
        "title": {"vi": "Số", "en": "Count"},
        "columns": {"quarter": {"kind": "time"}},
    }
    data = await charts.chart_data(
        datasette.get_database("counts"), "t", declaration, ["area", "quarter", "n", "suppression"]
    )
    assert data.categories == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert data.points[("2024-Q1", None)] == charts.Point(50, charts.OK)
    assert data.points[("2024-Q2", None)] == charts.Point(52, charts.PARTIAL, 1)
    assert data.points[("2024-Q3", None)] == charts.Point(None, charts.HIDDEN, 2)
    shown = (
        await views(
            datasette.get_database("counts"),
            "t",
            {TABLE_CHARTS: [declaration]},
            ["area", "quarter", "n", "suppression"],
            "vi",
        )
    )[0]
    cells = {row["header"]: row["cells"][0] for row in shown["table"]["rows"]}
    assert cells == {
        "2024-Q1": "50",
        "2024-Q2": "ít nhất 52 (tổng các ô được công bố; 1 ô bị ẩn không được cộng)",
        "2024-Q3": HIDDEN_VI,
    }
    assert "≥ 52" in shown["svg"] and shown["svg"].count('class="suppressed"') == 2
