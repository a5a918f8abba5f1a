"""Whole-table XLSX files: the same rows and columns as the table's CSV file (downloads.py), for people who open
data in Excel or LibreOffice.

Written with xlsxwriter in constant_memory mode, so a row is flushed as soon as the next begins and memory stays
flat whatever the table's size. The first sheet holds the data: a header row of the columns' Vietnamese labels
(each with a comment naming the column's identifier in the API), frozen, with an autofilter over the rows. The
sheet "Từ điển dữ liệu" lists every column: identifier, labels, meaning and unit in both languages.

Cells keep the type SQLite stores: integers and reals are numbers, text is text (dates are stored as ISO text,
2024-03-05, and stay so, as in the CSV and the API). Every text value is written with write_string, never
interpreted: a value such as `=HYPERLINK(...)` is a plain string in the file, not a formula Excel would run.

Excel holds at most 1,048,576 rows a sheet, header included; a longer table continues on "Dữ liệu (2)", "Dữ liệu
(3)" ..., each with its own header, so the file is always the whole table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import sqlite3
from pathlib import Path

import xlsxwriter

from plugins.portal_site.catalogue import column_entry

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included; tests lower it
SHEET = "Dữ liệu"
DICTIONARY_SHEET = "Từ điển dữ liệu"
DICTIONARY_HEADER = ("Cột (định danh) · Column", "Nhãn", "Label", "Mô tả", "Description", "Đơn vị · Unit")
EXACT_INTEGER = 2**53  # beyond it a double, which is all a spreadsheet cell holds, would change the number
BATCH = 20_000
# A fixed creation date in the file's properties: the file changes only when the data does, like the CSV.
CREATED = dt.datetime(2000, 1, 1)
ROWID = {
    "label": {"vi": "Số thứ tự dòng", "en": "Row number"},
    "description": {"vi": "Số thứ tự dòng trong bảng", "en": "Row number in the table"},
    "unit": None,
}


def _sheet_name(index: int) -> str:
    return SHEET if index == 0 else f"{SHEET} ({index + 1})"


def _start_sheet(workbook, index: int, names: list[str], labels: dict[str, dict], rows: int, styles: dict):
    """A data sheet with its header row, frozen, and an autofilter over the `rows` rows it will hold."""
    sheet = workbook.add_worksheet(_sheet_name(index))
    for column, name in enumerate(names):
        label = labels[name]["label_vi"] or name
        sheet.set_column(column, column, min(max(len(label), len(name), 8) + 2, 40))
        sheet.write_string(0, column, label, styles["header"])
        sheet.write_comment(0, column, f"{name}\n{labels[name]['label_en']}".strip())
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), len(names) - 1)
    return sheet


def _write_value(sheet, row: int, column: int, value) -> None:
    """One cell, of the type SQLite gave: int, float, str, bytes or None (an empty cell)."""
    if value is None:
        return
    if isinstance(value, int) and abs(value) <= EXACT_INTEGER or isinstance(value, float) and math.isfinite(value):
        sheet.write_number(row, column, value)
    elif isinstance(value, bytes):
        sheet.write_string(row, column, value.hex())
    else:  # text, and the rare number a cell cannot hold exactly (huge integers, infinities) as its text
        sheet.write_string(row, column, str(value))


def _write_dictionary(workbook, names: list[str], labels: dict[str, dict], styles: dict) -> None:
    sheet = workbook.add_worksheet(DICTIONARY_SHEET)
    for column, (title, width) in enumerate(zip(DICTIONARY_HEADER, (28, 28, 24, 50, 50, 14))):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, title, styles["header"])
    sheet.freeze_panes(1, 0)
    for row, name in enumerate(names, start=1):
        text = labels[name]
        for column, value in enumerate(
            (name, text["label_vi"], text["label_en"], text["vi"], text["en"], text["unit"])
        ):
            sheet.write_string(row, column, value)


def write_table(
    connection: sqlite3.Connection, table: str, path: Path, names: list[str], column_details: dict[str, dict]
) -> dict:
    """Write one table as XLSX at `path` (`names`: the CSV file's columns; `column_details`: the table's labels,
    descriptions and units, contract.COLUMN_DETAILS); its path in the release, size, SHA-256 and number of data
    sheets."""
    labels = {name: column_entry(column_details.get(name) or (ROWID if name == "rowid" else None)) for name in names}
    for name, label in labels.items():
        label["label_vi"] = label["label_vi"] or name  # a column the metadata says nothing of is headed by its name
    total = connection.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
    per_sheet = MAX_ROWS - 1
    selected = ", ".join("rowid" if name == "rowid" else f"[{name}]" for name in names)
    cursor = connection.execute(f"SELECT {selected} FROM [{table}] ORDER BY rowid")
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    workbook.set_properties({"title": table, "created": CREATED})
    styles = {"header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})}
    sheets, written = 0, 0
    sheet, row = None, per_sheet  # a sheet is started before the first row
    while batch := cursor.fetchmany(BATCH):
        for values in batch:
            if row == per_sheet:
                sheet = _start_sheet(workbook, sheets, names, labels, min(per_sheet, total - written), styles)
                sheets, row = sheets + 1, 0
            row += 1
            written += 1
            for column, value in enumerate(values):
                _write_value(sheet, row, column, value)
    if sheet is None:  # an empty table still gets its header
        _start_sheet(workbook, 0, names, labels, 0, styles)
        sheets = 1
    _write_dictionary(workbook, names, labels, styles)
    workbook.close()
    content = path.read_bytes()
    return {
        "path": f"{path.parent.name}/{path.name}",
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "media_type": MEDIA_TYPE,
        "sheets": sheets,
    }
