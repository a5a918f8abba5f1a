"""Typing raw cells by the spec: repairs that are unambiguous, problems located by file, line and column."""

from __future__ import annotations

import pandas as pd
import pytest

from scripts.build.read.extract import RawTable
from scripts.build.read.validate import validate
from scripts.build.spec.manifest import Spec


def spec(*columns, key="id") -> Spec:
    base = {"role": "attribute", "label": {"vi": "x", "en": "x"}, "description": {"vi": "x", "en": "x"}}
    return Spec.model_validate({"primary_key": [key], "columns": [{**base, **c} for c in columns]})


ID = {"name": "id", "header": "Mã", "type": "code", "width": 3}


def raw(rows: list[dict]) -> RawTable:
    frame = pd.DataFrame(rows, dtype=str)
    return RawTable(path="f.csv", headers=list(frame.columns), frame=frame, lines=pd.Series(range(2, len(rows) + 2)))


@pytest.mark.parametrize(
    "column, values, expected",
    [
        (
            {"type": "date"},
            ["19/02/2023", "5/3/2024", "2024-06-30", ""],
            ["2023-02-19", "2024-03-05", "2024-06-30", None],
        ),
        ({"type": "integer"}, ["1.234", "1,234,567", "12", "-3", ""], [1234, 1234567, 12, -3, None]),
        ({"type": "number"}, ["12,5", "3.25", "7", ""], [12.5, 3.25, 7.0, None]),
        ({"type": "boolean"}, ["Có", "Không", "x", ""], [1, 0, 1, 0]),
        ({"type": "code", "width": 5}, ["123", "00456", ""], ["00123", "00456", None]),
        ({"type": "text"}, ["Hạ Long", ""], ["Hạ Long", None]),
    ],
)
def test_values_are_typed(column, values, expected):
    rows = [{"Mã": f"{i:03d}", "Giá trị": v} for i, v in enumerate(values)]
    checked = validate(raw(rows), spec(ID, {"name": "value", "header": "Giá trị", **column}))
    assert checked.problems == []
    assert [None if pd.isna(v) else v for v in checked.frame["value"].tolist()] == expected


@pytest.mark.parametrize(
    "column, bad, message",
    [
        ({"type": "date"}, "31/02/2024", "'31/02/2024' is not a valid date"),
        ({"type": "date"}, "2024-13-01", "'2024-13-01' is not a valid date"),
        ({"type": "integer"}, "12a", "'12a' is not a whole number"),
        ({"type": "number"}, "1,2,3", "'1,2,3' is not a number"),
        ({"type": "boolean"}, "maybe", "'maybe' is not yes/no"),
        ({"type": "code", "width": 2}, "123", "'123' is longer than 2 digits"),
        ({"type": "text", "required": True}, "", "a value is required"),
    ],
)
def test_bad_values_are_located(column, bad, message):
    rows = [{"Mã": "001", "Giá trị": "1" if column["type"] != "date" else "01/01/2024"}, {"Mã": "002", "Giá trị": bad}]
    if column["type"] == "boolean":
        rows[0]["Giá trị"] = "Có"
    checked = validate(raw(rows), spec(ID, {"name": "value", "header": "Giá trị", **column}))
    assert checked.frame is None
    assert len(checked.problems) == 1
    assert str(checked.problems[0]).startswith(f"f.csv:3:2: column 'Giá trị' (value): {message}")


def test_renamed_column_is_named_with_a_hint():
    checked = validate(
        raw([{"Mã": "001", "Ten nhiem vu": "a"}]), spec(ID, {"name": "name", "header": "Tên nhiệm vụ", "type": "text"})
    )
    messages = [str(p) for p in checked.problems]
    assert "f.csv:1:2: column 'Ten nhiem vu' is not declared in the spec; was 'Tên nhiệm vụ' renamed?" in messages
    assert "f.csv:1:1: column 'Tên nhiệm vụ' required by the spec is missing" in messages


def test_duplicate_primary_keys_name_their_lines():
    checked = validate(raw([{"Mã": "001"}, {"Mã": "002"}, {"Mã": "1"}]), spec(ID))
    assert [str(p) for p in checked.problems] == ["f.csv:2:1: duplicate primary key ['id'] on lines 2, 4"]


def test_a_bad_column_reports_a_few_values_then_a_count():
    rows = [{"Mã": f"{i:03d}", "Ngày": "hôm qua"} for i in range(20)]
    checked = validate(raw(rows), spec(ID, {"name": "day", "header": "Ngày", "type": "date"}))
    assert len(checked.problems) == 6
    assert "15 more values like these" in str(checked.problems[-1])
