"""The gate sees what people write: 20 identifiers planted the way clerks, citizens and spreadsheets write them.

Each case is a tiny table as it would reach the gate, with the names and addresses the sources know. The gate of
the first release let every one of them through; the last tests check that harmless look-alikes still pass.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scripts.build.gate import scan_frame

# Fake people and addresses of the kind scripts/sample generates (names.py, addresses.py).
NAMES = frozenset({"Nguyễn Văn An", "Đỗ Văn Quân", "Vũ Quốc Anh", "Trần Thị Lan", "Lê Văn Hòa", "Bùi Duy Quân"})
ADDRESSES = frozenset(
    {
        "Số 74 đường Tô Hiến Thành, Phường Hà Tu",
        "Số 67, tổ 39, khu 6, Phường Hà Tu, tỉnh Quảng Ninh",
        "Tổ 3, khu 5, Phường Hồng Gai",
        "Thôn Đồng Tâm, Xã Bình Dân",
    }
)


def _note(text: str) -> pd.DataFrame:
    """An as-delivered table: a dossier number, a procedure code, a date and the clerk's free-text note."""
    return pd.DataFrame(
        {
            "ma_ho_so": ["000.00.22.H42-240315-0001", "000.00.22.H42-240315-0002"],
            "ma_thu_tuc": ["1.001234.000.00.00.H42", "2.002237.000.00.00.H49"],
            "ngay_tiep_nhan": ["15/03/2024", "16/03/2024"],
            "note": ["Hồ sơ đầy đủ", text],
        }
    )


def _columns(left: tuple[str, str], right: tuple[str, str]) -> pd.DataFrame:
    """An as-delivered table whose identifier was typed across two neighbouring columns."""
    return pd.DataFrame(
        {
            "stt": [1, 2],
            left[0]: ["", left[1]],
            right[0]: ["", right[1]],
            "ghi_chu": ["", "Đã xác minh"],
        }
    )


def _categories(column: str, value: str) -> pd.DataFrame:
    """A derived count table: the category a person's name hides in, its lone hidden cell among published zeros."""
    return pd.DataFrame(
        {
            "area": ["Tổng", "Phường Hà Tu", "Phường Hà Tu", "Phường Hà Tu"],
            "quarter": ["Tổng", "2024-Q1", "2024-Q1", "2024-Q1"],
            column: ["Tổng", "Khai sinh", "Kết hôn", value],
            "events": [41, 0, 0, None],
            "suppression": ["", "", "", "suppressed"],
        }
    )


# (case, table, kind, the column it must be found in)
PLANTED = [
    ("name without diacritics", _note("lien he Nguyen Van An"), "person_name", "note"),
    ("ID one digit per group", _note("0 2 2 0 9 0 1 2 3 4 5 6"), "citizen_id", "note"),
    ("ID with zero-width spaces", _note("022\u200b090\u200b123\u200b456"), "citizen_id", "note"),
    ("full-width digits", _note("ĐT ０９１２３４５６７８"), "mobile_phone", "note"),
    ("letter O and I for digits", _note("O9I2345678"), "mobile_phone", "note"),
    ("+84 (0) trunk", _note("+84 (0) 918.890.413"), "mobile_phone", "note"),
    ("slash-separated phone", _note("0918/890/413"), "mobile_phone", "note"),
    ("e-mail with [at] and [dot]", _note("an.nguyen [at] gmail [dot] com"), "email", "note"),
    ("resident's address", _note("Chuyển đến Số 74 đường Tô Hiến Thành, Phường Hà Tu"), "address", "note"),
    ("ID split across two columns", _columns(("ma_1", "022090"), ("ma_2", "123456")), "citizen_id", "ma_1+ma_2"),
    ("name in an event type", _categories("event_type", "Khai tử (Do Van Quan)"), "person_name", "event_type"),
    ("name in a channel", _categories("channel", "Trực tiếp - Vu Quoc Anh"), "person_name", "channel"),
    # The other variants people write.
    ("name split across two columns", _columns(("ho_dem", "Trần Thị"), ("ten", "Lan")), "person_name", "ho_dem+ten"),
    ("old-style tone placement", _note("Ông LÊ VĂN HOÀ đã nhận kết quả"), "person_name", "note"),
    ("en dashes in a phone", _note("0912–345–678"), "mobile_phone", "note"),
    ("e-mail with spaces", _note("an.nguyen @ gmail . com"), "email", "note"),
    ("address without diacritics", _note("tam tru so 67 to 39 khu 6 Ha Tu"), "address", "note"),
    (
        "landline split into area code and number",
        _columns(("ma_vung", "0203"), ("so_may", "3835 123")),
        "landline",
        "ma_vung+so_may",
    ),
    ("zero-width space in an e-mail", _note("an.nguyen@\u200bgmail.com"), "email", "note"),
    ("phone read out in words", _note("sdt khong chin mot hai ba bon nam sau bay tam"), "mobile_phone", "note"),
]


def _scan(table: pd.DataFrame):
    return scan_frame("t", table, known_names=NAMES, known_addresses=ADDRESSES)


def test_twenty_distinct_cases():
    assert len(PLANTED) == 20 and len({case for case, *_ in PLANTED}) == 20


@pytest.mark.parametrize("case, table, kind, column", PLANTED, ids=[case for case, *_ in PLANTED])
def test_planted_identifier_is_found(case, table, kind, column):
    report = _scan(table)
    # Row 2 of every table holds the planted value (row 4 for the count tables); nothing else is flagged.
    row = 4 if "area" in table.columns else 2
    assert [(f.column, f.row, f.kind) for f in report] == [(column, row, kind)]


@pytest.mark.parametrize("case, table, kind, column", PLANTED, ids=[case for case, *_ in PLANTED])
def test_the_report_never_shows_the_planted_value(case, table, kind, column):
    (finding,) = _scan(table)
    assert len(finding.masked.replace("*", "")) <= 5


MORE = [
    ("0912 / 345 / 678", "mobile_phone"),
    ("0912_345_678", "mobile_phone"),
    ("0912\u2009345\u2009678", "mobile_phone"),
    ("0912\u00ad345\u00ad678", "mobile_phone"),
    ("(+84)(0)912 345 678", "mobile_phone"),
    ("84 (0) 912 345 678", "mobile_phone"),
    ("SĐT: 09l2.345.678", "mobile_phone"),
    ("O22O9O123456", "citizen_id"),
    ("0-2-2-0-9-0-1-2-3-4-5-6", "citizen_id"),
    ("CCCD số không hai hai không chín không một hai ba bốn năm sáu", "citizen_id"),
    ("０２２０９０１２３４５６", "citizen_id"),
    ("Liên hệ 0912345678/0987654321", "mobile_phone"),
    ("an.nguyen(at)gmail.com", "email"),
    ("an.nguyen{at}gmail{dot}com", "email"),
    ("an.nguyen at gmail dot com", "email"),
    ("annguyen a còng gmail chấm com", "email"),
    ("ａｎ＠ｇｍａｉｌ．ｃｏｍ", "email"),
    ("NGUYEN VAN AN", "person_name"),
    ("nguyễn  văn\u200b an", "person_name"),
    ("Bui Duy Quan (con)", "person_name"),
    ("Số nhà 67, tổ 39, khu 6", "address"),
    ("74 Tô Hiến Thành", "address"),
]


@pytest.mark.parametrize("text, kind", MORE)
def test_more_spellings_are_found(text, kind):
    assert {f.kind for f in _scan(_note(text))} == {kind}


@pytest.mark.parametrize(
    "left, right, kind",
    [
        (" 022090 ", " 123456", "citizen_id"),  # copy-pasted cells keep their spaces
        ("CCCD 022090", 123456, "citizen_id"),  # the second half read as a number
        ("0912", "345 678", "mobile_phone"),
        ("Số 74", "đường Tô Hiến Thành", "address"),
        ("NGUYEN VAN", "AN", "person_name"),
    ],
)
def test_more_splits_across_columns(left, right, kind):
    report = _scan(pd.DataFrame({"a": ["", left], "b": [None, right]}))
    assert report.counts == {("a+b", kind): 1}


def test_both_phones_of_a_slash_list_are_read():
    report = _scan(pd.DataFrame({"note": ["0912345678/0987654321"]}))
    assert report.counts == {("note", "mobile_phone"): 1}
    (finding,) = report
    assert finding.masked.endswith("78")


HARMLESS = [
    # dossier numbers, procedure codes, document numbers
    "000.00.22.H42-240315-0001",
    "000.00.22.H42-240315-0001 / 000.00.22.H42-240315-0002",
    "2.002237.000.00.00.H49",
    "Số 0123/2024/QĐ-UBND",
    "1234/2024/TT-BTTTT",
    "12/2024/NĐ-CP",
    # dates, periods and times, however separated
    "15/03/2024",
    "2024/03/15",
    "15 / 03 / 2024",
    "Kỳ báo cáo 01/2024 - 06/2024",
    "01-2024 - 06-2024",
    "Từ 01/01/2024 đến 30/06/2024",
    "2019–2024",
    "07:30 – 11:30",
    "2024-Q1",
    # decimals, amounts, ratios
    "21.0123, 107.1234567",
    "1.500.000 / 2.000.000 đồng",
    "12,5 % / 100 %",
    "Điểm 8.5/10",
    "Tỷ lệ 1234/5678",
    "２０２４",
    "km²",
    # counting, lists and scales
    "0 1 2 3 4 5 6 7 8 9 10",
    "1 2 3 4 5 6 7 8 9",
    "01 02 03 04 05 06",
    "một hai ba bốn năm sáu bảy tám chín",
    "Không một ai vắng mặt, không hai lời",
    # words next to digits
    "COVID-19",
    "ISO 9001:2015",
    "Quý II/2024",
    "Phòng 1O1",
    "MH01",
    # 'at' and 'dot' as words, brackets
    "user at example dot com",
    "Hẹn gặp at 10 giờ",
    "Khoản 1 (a) Điều 5",
    # place names that share words with known names and addresses
    "Tổ 3, khu 5, Phường Hồng Gai",
    "Thôn Đồng Tâm",
    "Đường Tô Hiến Thành",
    "Số 74",
    "Nguyễn Văn",
    "Văn An",
    "Do Van Quang",
    "Trực tiếp",
    "Khai tử",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_look_alikes_pass(text):
    assert _scan(_note(text)).ok


def test_harmless_neighbouring_columns_pass():
    table = pd.DataFrame(
        {
            "commune_code": ["06652", "06658", "22001"],
            "quarter": ["2024-01", "2024-02", "2024-03"],
            "latitude": [20.9393, 21.0013, 21.0123],
            "longitude": [107.122, 107.128, 107.1234567],
            "year": [2024, 2024, 2023],
            "month": [12, 1, 6],
            "accounts": [912, 345, 678],
            "decision": ["0123/2024", "46/KH-UBND", "1234/QĐ-UBND"],
            "issued": ["19/02/2023", "15/03/2024", "30/06/2024"],
            "surname": ["Nguyễn Văn", "Trần Thị", "Lê Văn"],
            "unit": ["Anh", "Lanh", "Bình Hòa"],
        }
    )
    assert _scan(table).ok


@pytest.mark.parametrize(
    "text, found",
    [
        ("Giấy tờ còn hiệu lực Văn phòng UBND tỉnh xác nhận", False),  # 'Lực', not the known 'Lục'
        ("Ông Nguyễn Văn Ân", False),  # 'Ân', not the known 'An'
        ("Nguyên Van An", False),  # some accents kept, and wrong
        ("ông luc van phong", True),
        ("LỤC VĂN PHONG", True),
        ("Nguyễn Van An", True),  # some accents dropped, the rest right
    ],
)
def test_folded_names_are_confirmed_on_their_spelling(text, found):
    names = frozenset({"Lục Văn Phong", "Nguyễn Văn An"})
    assert (not scan_frame("t", _note(text), known_names=names).ok) is found


def test_neighbouring_prose_is_not_a_split_name():
    names = frozenset({"Lục Văn Phong", "Trần Thị Lan"})
    table = pd.DataFrame(
        {
            "task_name": ["Số hóa hồ sơ còn hiệu luc", "Giao cho Trần Thị"],
            "lead_unit": ["Van phong Ủy ban nhân dân tỉnh", "Lan Anh phụ trách"],
        }
    )
    # Row 1: the end of one sentence and the start of another; row 2: neither cell is all of the name either.
    assert scan_frame("t", table, known_names=names).ok
    table.loc[1, "lead_unit"] = "Lan"
    assert scan_frame("t", table, known_names=names).counts == {("task_name+lead_unit", "person_name"): 1}


def test_what_an_allow_rule_exempts_joins_nothing():
    from scripts.build.gate import AllowRule

    table = _columns(("ma_vung", "0203"), ("so_may", "3835 123"))
    rule = AllowRule("so_may", "3835 123", "Đường dây nóng của Sở, công bố công khai")
    assert scan_frame("t", table, allow=[rule]).ok


@pytest.mark.slow
def test_the_small_sample_build_passes_the_gate(sample_release):
    # The build raises BuildFailed when the gate finds anything; it ran with the sources' names and addresses.
    assert "gate" in sample_release.outcome.timings
    assert sample_release.outcome.known_names and sample_release.outcome.known_addresses
    assert sample_release.outcome.published
