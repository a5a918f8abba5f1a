"""The Excel-oriented downloads on the tiny inline build, with a formula planted in a source text column: the XLSX
holds it as a plain string, the downloads/ CSV neutralises it, Datasette's .csv and the JSON keep it as published;
a table longer than a sheet continues on further sheets; the dataset page previews the first rows."""

from __future__ import annotations

import codecs
import csv
import io
import sqlite3

import openpyxl
import pytest

from scripts.build.pipeline import build
from scripts.build.publish import downloads, xlsx_download
from scripts.serve import command as serve

FORMULA = '=HYPERLINK("http://evil.example","bấm vào đây")'
# conftest's tasks extract, with one row more: a formula in a text column, text starting with @, a negative number.
PLANTED = '004,"=HYPERLINK(""http://evil.example"",""bấm vào đây"")",@Sở Tư pháp,31/12/2024,Không,-5\r\n'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def planted(data_dir, portal_metadata, tmp_path):
    source = data_dir / "raw" / "tasks.csv"
    source.write_text(source.read_text(encoding="utf-8") + PLANTED, encoding="utf-8")
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    return release


def test_the_xlsx_has_labels_typed_cells_and_the_formula_as_a_plain_string(planted):
    workbook = openpyxl.load_workbook(planted / "downloads" / "tasks.xlsx")
    assert workbook.sheetnames == ["Dữ liệu", "Từ điển dữ liệu"]
    sheet = workbook["Dữ liệu"]
    assert [c.value for c in sheet[1]] == ["Mã", "Tên", "Đơn vị", "Thời hạn", "Hoàn thành", "Kinh phí"]
    assert sheet["A1"].comment.text.splitlines() == ["code", "Code"]  # the identifier stays discoverable
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F5"
    with sqlite3.connect(planted / "portal.db") as db:
        assert sheet.max_row == db.execute("select count(*) from tasks").fetchone()[0] + 1 == 5
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["001"][5].value == 1200 and rows["001"][5].data_type == "n"
    assert rows["004"][5].value == -5 and rows["004"][5].data_type == "n"
    assert rows["001"][4].value == 1 and rows["001"][4].data_type == "n"  # booleans as SQLite holds them, 1/0
    assert rows["001"][3].value == "2023-02-19" and rows["001"][3].data_type == "s"  # dates as ISO text
    assert rows["003"][5].value is None  # an empty value is an empty cell
    planted_cell = rows["004"][1]
    assert planted_cell.value == FORMULA and planted_cell.data_type == "s"  # text, not a formula ("f")
    assert rows["004"][2].value == "@Sở Tư pháp" and rows["004"][2].data_type == "s"
    dictionary = list(workbook["Từ điển dữ liệu"].iter_rows(values_only=True))
    assert dictionary[1][:3] == ("code", "Mã", "Code") and dictionary[6][5] == "triệu đồng"


def test_the_csv_for_excel_neutralises_formulas_and_the_api_keeps_them(planted):
    content = (planted / "downloads" / "tasks.csv").read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    rows = {row[0]: row for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))}
    assert rows["004"][1] == "'" + FORMULA and rows["004"][2] == "'@Sở Tư pháp"
    assert rows["004"][5] == "-5"  # a number is never touched
    assert rows["001"][1] == "Hoàn thiện thể chế"
    assert downloads.neutralised("-5") == "'-5" and downloads.neutralised(-5) == -5
    assert downloads.neutralised("\tx") == "'\tx" and downloads.neutralised("a=b") == "a=b"


async def test_datasette_csv_and_the_json_file_keep_the_values_as_published(planted):
    app = serve.app(planted)
    exported = await app.client.get("/portal/tasks.csv?_stream=on")
    [row] = [r for r in csv.reader(io.StringIO(exported.text)) if r[0] == "004"]
    assert row[1] == FORMULA and row[2] == "@Sở Tư pháp" and row[5] == "-5"
    api = (await app.client.get("/portal/tasks.json?_shape=array&code=004")).json()
    assert api[0]["name"] == FORMULA
    whole = (await app.client.get("/downloads/tasks.json")).json()
    assert [r["code"] for r in whole] == ["001", "002", "003", "004"] and whole[3]["name"] == FORMULA
    assert whole[3]["budget"] == -5
    served = await app.client.get("/downloads/tasks.xlsx")
    assert served.status_code == 200 and served.headers["content-type"] == XLSX
    assert served.headers["content-disposition"] == "attachment; filename=\"tasks.xlsx\"; filename*=UTF-8''tasks.xlsx"
    assert served.content == (planted / "downloads" / "tasks.xlsx").read_bytes()


async def test_the_dataset_page_offers_every_format_and_previews_the_first_rows(planted):
    app = serve.app(planted)
    page = (await app.client.get("/datasets/tasks")).text
    for link in (
        'href="/downloads/tasks.csv"',
        'href="/downloads/tasks.xlsx"',
        'href="/downloads/tasks.json"',
        'href="/portal.db"',
    ):
        assert link in page
    assert '<div class="table-preview" tabindex="0" role="region" aria-label="Xem trước các dòng đầu tiên">' in page
    assert '<th scope="col"><abbr title="budget">Kinh phí</abbr></th>' in page
    assert "<td>1.200</td>" in page and "<td>19/02/2023</td>" in page  # the reader's numbers and dates
    assert "<td>=HYPERLINK(&#34;http://evil.example&#34;,&#34;bấm vào đây&#34;)</td>" in page  # escaped, as text
    english = (await app.client.get("/datasets/tasks?lang=en")).text
    assert '<abbr title="budget">Budget</abbr>' in english and "<td>1,200</td>" in english
    assert "<td>19 Feb 2023</td>" in english


def test_a_table_longer_than_a_sheet_continues_on_further_sheets(planted, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_download, "MAX_ROWS", 3)  # a header and two rows a sheet
    with sqlite3.connect(f"file:{planted / 'portal.db'}?mode=ro", uri=True) as db:
        written = xlsx_download.write_table(db, "tasks", tmp_path / "tasks.xlsx", downloads.columns(db, "tasks"), {})
        codes = [row[0] for row in db.execute("select code from tasks order by rowid")]
    assert written["sheets"] == 2
    workbook = openpyxl.load_workbook(tmp_path / "tasks.xlsx")
    assert workbook.sheetnames == ["Dữ liệu", "Dữ liệu (2)", "Từ điển dữ liệu"]
    data = [[row for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets[:2]]
    assert [sheet[0][0] for sheet in data] == ["code", "code"]  # every sheet has its header
    assert [row[0] for sheet in data for row in sheet[1:]] == codes  # every row once, in order
    assert all(sheet.freeze_panes == "A2" for sheet in workbook.worksheets[:2])
    assert [sheet.auto_filter.ref for sheet in workbook.worksheets[:2]] == ["A1:F3", "A1:F3"]
