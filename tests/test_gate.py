"""The personal-data gate: every identifier kind and spelling is found, harmless look-alikes are not."""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from scripts.build.gate import AllowRule, Finding, ScanReport, mask, scan_frame
from scripts.build.gate.checksums import luhn_valid, tax_code_valid
from scripts.build.gate.codes import CITIZEN_ID_PROVINCES, LANDLINE_AREAS
from scripts.build.gate.context import column_context


def kinds(value, column="ghi_chu", **options) -> set[str]:
    """The kinds the gate finds in a one-cell table."""
    return {f.kind for f in scan_frame("t", pd.DataFrame({column: [value]}), **options)}


HITS = [
    # mobile phones, every spelling
    ("0912345678", "mobile_phone"),
    ("0912 345 678", "mobile_phone"),
    ("091.234.5678", "mobile_phone"),
    ("091-234-5678", "mobile_phone"),
    ("0912.345.678", "mobile_phone"),
    ("+84 912 345 678", "mobile_phone"),
    ("+84912345678", "mobile_phone"),
    ("+84-912-345-678", "mobile_phone"),
    ("(+84) 912345678", "mobile_phone"),
    ("(+84)912 345 678", "mobile_phone"),
    ("84912345678", "mobile_phone"),
    ("+84 0912 345 678", "mobile_phone"),
    ("0321234567", "mobile_phone"),
    ("0521234567", "mobile_phone"),
    ("0562345678", "mobile_phone"),
    ("0701234567", "mobile_phone"),
    ("0771234567", "mobile_phone"),
    ("0812345678", "mobile_phone"),
    ("0889 123 456", "mobile_phone"),
    ("0962345678", "mobile_phone"),
    # pre-2018 11-digit mobiles
    ("01662345678", "mobile_phone"),
    ("0166 234 5678", "mobile_phone"),
    ("0123.456.7890", "mobile_phone"),
    ("01201234567", "mobile_phone"),
    ("0186 123 4567", "mobile_phone"),
    ("0188 123 4567", "mobile_phone"),
    ("0199 123 4567", "mobile_phone"),
    ("+84 162 234 5678", "mobile_phone"),
    # landlines
    ("0203 3835 123", "landline"),
    ("0203.3835.123", "landline"),
    ("(0203) 3835 123", "landline"),
    ("0203-3835-123", "landline"),
    ("024 3825 1234", "landline"),
    ("(024) 3825 1234", "landline"),
    ("028-3822-1234", "landline"),
    ("02838221234", "landline"),
    ("+84 24 3825 1234", "landline"),
    ("(+84) 203 3835 123", "landline"),
    # citizen IDs, plain, spaced, dotted, masked
    ("022090123456", "citizen_id"),
    ("022 090 123 456", "citizen_id"),
    ("022.090.123.456", "citizen_id"),
    ("022-090-123-456", "citizen_id"),
    ("0220 9012 3456", "citizen_id"),
    ("001301234567", "citizen_id"),
    ("079200123456", "citizen_id"),
    ("096187654321", "citizen_id"),
    ("022090******", "citizen_id"),
    ("022 090 ******", "citizen_id"),
    ("022090xxxxxx", "citizen_id"),
    ("022090***456", "citizen_id"),
    ("008087••••••", "citizen_id"),
    ("Số CCCD 022090123456 cấp ngày 19/02/2023", "citizen_id"),
    # old ID cards where the words say so
    ("Số CMND: 123456789", "old_id_card"),
    ("CMT 123 456 789", "old_id_card"),
    ("chứng minh nhân dân số 123456789 cấp tại Quảng Ninh", "old_id_card"),
    ("CHỨNG MINH NHÂN DÂN 123.456.789", "old_id_card"),
    ("số định danh 123456789", "old_id_card"),
    ("ID: 123456789", "old_id_card"),
    ("cmnd 012345678", "old_id_card"),
    # e-mail
    ("lan.nguyen@gmail.com", "email"),
    ("Gửi về abc_123@so-kh.quangninh.gov.vn trước ngày 30/6", "email"),
    # health-insurance cards
    ("DN4221234567890", "health_insurance"),
    ("DN 4 22 1234567890", "health_insurance"),
    ("HC4 22 12345 67890", "health_insurance"),
    ("GD 4 22 123 456 7890", "health_insurance"),
    ("Thẻ BHYT số TE1221234567890 còn hạn", "health_insurance"),
    # social insurance where the words say so
    ("Mã số BHXH: 2212345678", "social_insurance"),
    ("sổ bảo hiểm xã hội 2212345678", "social_insurance"),
    ("bao hiem xa hoi 22 1234 5678", "social_insurance"),
    # tax codes where the words say so, check digit right
    ("MST: 0100233488", "tax_code"),
    ("mã số thuế 0314409058-002", "tax_code"),
    ("Mã số thuế cá nhân: 8012345677", "tax_code"),
    # passports
    ("C1234567", "passport"),
    ("N1234567", "passport"),
    ("B7654321", "passport"),
    ("Hộ chiếu số K1234567", "passport"),
    ("passport E1234567", "passport"),
    # bank cards
    ("9704 1234 5678 9012", "bank_card"),
    ("9704-1234-5678-9012", "bank_card"),
    ("9704123456789012345", "bank_card"),
    ("4111 1111 1111 1111", "bank_card"),
    ("5555-5555-5555-4444", "bank_card"),
    ("Thẻ 3530111333300000", "bank_card"),
    # device IMEIs where the words say so
    ("IMEI 490154203237518", "imei"),
    ("imei: 49-015420-323751-8", "imei"),
]


@pytest.mark.parametrize("value, kind", HITS)
def test_finds_every_kind_and_spelling(value, kind):
    assert kind in kinds(value)


@pytest.mark.parametrize("value, kind", HITS)
def test_masked_output_never_holds_the_value(value, kind):
    (finding,) = [f for f in scan_frame("t", pd.DataFrame({"ghi_chu": [value]})) if f.kind == kind]
    digits = "".join(c for c in value if c.isalnum())
    kept = finding.masked.replace("*", "")
    assert len(kept) <= 5
    assert value not in finding.masked and value not in str(finding)
    assert digits not in "".join(c for c in finding.masked if c.isalnum())


HARMLESS = [
    "1.001234.000.00.00.H42",
    "Mã thủ tục 1.001234.000.00.00.H42",
    "000.00.22.H42-240315-0001",
    "H42.22-240315-0001",
    "123/2024/KS",
    "Số 123/2024/KS ngày 19/02/2023",
    "19/02/2023",
    "2024-06-30",
    "2024-06-30T10:00:00",
    "46/KH-UBND",
    "1234/QĐ-UBND",
    "Kế hoạch 46/KH-UBND ngày 19/02/2023 giao 41 nhiệm vụ trong 7 nhóm",
    "2024",
    "Quý II/2024",
    "1.234.567",
    "1.500.000.000",
    "Đã cập nhật 1.500.000 thuê bao di động (100 %)",
    "2.345.678.901 đồng",
    "Tổng 123 456 789 đồng",
    "1234567890",
    "0100233488",
    "12,5%",
    "100%",
    "0,75",
    "Diện tích 1.234,56 ha",
    "21.0123",
    "107.1234567",
    "105.0912345678",
    "21.0123, 107.1234567",
    "22001",
    "Xã 22001, huyện 193",
    "Sở Khoa học và Công nghệ",
    "Công an tỉnh Quảng Ninh",
    "Hồ sơ đã được tiếp nhận và xử lý đúng hạn",
    "Số 22 đường Lê Lợi, phường Hồng Gai",
    "QCVN 01:2019/BTTTT",
    "ISO 9001:2015",
    "Phiên bản 1.2.3",
    "Giờ làm việc 07:30 - 11:30",
    "Tổng đài 1900 1234",
    "A1234567",
    "c1234567",
    "C1234567-01",
    "DN422",
    "Số 0912",
    "123456789012",
    "022490123456",
    "022299123456",
    "003090123456",
    "022*********",
    "Điểm 8.5/10",
    "xxx-xxx",
    "4111 1111 1111 1112",
    "1234 5678 9012 3456",
    "MST: 0100233480",
    "user at example dot com",
    "490154203237518",
    " ".join(str(n) for n in range(1, 100)),
    "839 840 841 842 843 844",
]


@pytest.mark.parametrize("value", HARMLESS)
def test_harmless_look_alikes_pass(value):
    assert kinds(value, known_names=frozenset({"Nguyễn Văn An", "Trần Thị Lan"})) == set()


@pytest.mark.parametrize(
    "column, values",
    [
        ("ma_xa", [22001, 22004, 22007]),
        ("nam", [2022, 2023, 2024]),
        ("so_luong", [1_500_000, 41, 7]),
        ("tong_chi", [22090123456, 12345678901, 98765432109]),
        ("ma_ho_so", [240315001, 240315002, 240315003]),
        ("id", [123456789, 123456790, 123456791]),
        ("kinh_do", [107.1234567, 106.9876543, 107.0]),
        ("ty_le", [0.5, 12.5, 100.0]),
        ("dien_tich", [1234.56, 20000000.5, 33.0]),
    ],
)
def test_harmless_number_columns_pass(column, values):
    assert scan_frame("t", pd.DataFrame({column: values})).ok


@pytest.mark.parametrize(
    "column, value, kind",
    [
        ("so_cmnd", "123456789", "old_id_card"),
        ("CMND/CCCD", 123456789, "old_id_card"),
        ("cmnd", 12345678, "old_id_card"),
        ("so_bhxh", "2212345678", "social_insurance"),
        ("ma_so_bhxh", 123456789, "social_insurance"),
        ("Mã số thuế", "0100233488", "tax_code"),
        ("mst", 100233488, "tax_code"),
        ("so_ho_chieu", "E1234567", "passport"),
        ("imei", "490154203237518", "imei"),
    ],
)
def test_column_name_gives_context(column, value, kind):
    assert kind in kinds(value, column)
    assert kind not in kinds(value, "ghi_chu")


@pytest.mark.parametrize(
    "text",
    [
        "Liên hệ chị Lan 0912 345 678 để bổ sung",
        "SĐT:0912345678",
        "(0912345678)",
        "Gọi 0912345678.",
        "Năm 2024 0912345678",
        "ĐT: 0912.345.678, hoặc 0987 654 321",
    ],
)
def test_phone_hidden_in_free_text(text):
    assert kinds(text) == {"mobile_phone"}


def test_several_kinds_in_one_cell():
    text = "Anh Nam, ĐT 0912.345.678, email nam@gmail.com, CCCD 022090123456, thẻ BHYT DN4221234567890"
    assert kinds(text) == {"mobile_phone", "email", "citizen_id", "health_insurance"}


@pytest.mark.parametrize(
    "column, values, kind",
    [
        ("so_dien_thoai", [912345678, 987654321], "mobile_phone"),
        ("sdt", [912345678.0, np.nan], "mobile_phone"),
        ("sdt", ["912345678", None], "mobile_phone"),
        ("phone", pd.array([912345678, None], dtype="Int64"), "mobile_phone"),
        ("dien_thoai", [1662345678, 1662345679], "mobile_phone"),
        ("dien_thoai", [2033835123, 2033835124], "landline"),
        ("cccd", [22090123456, 79200123456], "citizen_id"),
        ("cccd", [1203194649, 6176526351], "citizen_id"),
        ("so_cccd", ["22090123456", "79200123456"], "citizen_id"),
    ],
)
def test_leading_zero_lost_by_a_spreadsheet(column, values, kind):
    report = scan_frame("t", pd.DataFrame({column: values}))
    assert {f.kind for f in report} == {kind}
    assert report.counts[column, kind] == 1 + (not pd.isna(values[1]))


def test_an_id_column_that_also_names_a_phone_reads_ids():
    frame = pd.DataFrame({"Số định danh chủ thuê bao": [1203194649, 22090123456]})
    assert scan_frame("t", frame).counts == {("Số định danh chủ thuê bao", "citizen_id"): 2}


def test_renamed_phone_column_is_still_found():
    texts = pd.DataFrame({"ghi_chu": ["0912345678", "0987 654 321", "0388123456"]})
    assert scan_frame("t", texts).counts == {("ghi_chu", "mobile_phone"): 3}
    # Spreadsheet numbers that lost their 0: no column name helps, the column's shape does.
    numbers = pd.DataFrame({"ghi_chu": [912345678, 987654321, 388123456, 868123456]})
    assert scan_frame("t", numbers).counts == {("ghi_chu", "mobile_phone"): 4}


def test_sex_and_birth_year_confirm_a_citizen_id_that_lost_its_zero():
    frame = pd.DataFrame(
        {
            "ma": [22090123456, 22190123456, 22090123456],
            "gioi_tinh": ["Nam", "Nam", "Nữ"],
            "ngay_sinh": ["01/02/1990", "1990-05-06", "03/04/1990"],
        }
    )
    # Row 1: digits say male born 1990, as the row does; row 2: the digits say female; row 3: the row says female.
    assert [(f.row, f.kind) for f in scan_frame("t", frame)] == [(1, "citizen_id")]
    # The same numbers in a table without sex and birth year may be amounts: not flagged.
    assert scan_frame("t", frame[["ma"]]).ok


def test_masked_id_against_the_rows_it_sits_in():
    # A masked ID is flagged whatever the row says: it still reveals province, sex and year.
    frame = pd.DataFrame(
        {"cccd": ["022090******", "022190******"], "gioi_tinh": ["Nam", "Nam"], "nam_sinh": [1990, 1990]}
    )
    assert scan_frame("t", frame).counts == {("cccd", "citizen_id"): 2}


def test_rows_are_one_based_positions_whatever_the_index():
    frame = pd.DataFrame(
        {"a": ["x", None, "0912345678", "y"], "b": ["lan@gmail.com", "z", None, "an@gmail.com"]},
        index=[10, 20, 30, 40],
    )
    assert [(f.column, f.row, f.kind) for f in scan_frame("t", frame)] == [
        ("a", 3, "mobile_phone"),
        ("b", 1, "email"),
        ("b", 4, "email"),
    ]


def test_repeated_values_each_count_and_keep_their_rows():
    frame = pd.DataFrame({"sdt": ["0912345678", "x", "0912345678", "0912345678"]})
    assert [f.row for f in scan_frame("t", frame)] == [1, 3, 4]


def test_each_column_and_kind_is_capped_but_counted():
    phones = [f"09123456{n:02d}" for n in range(12)]
    frame = pd.DataFrame({"sdt": phones, "email": [f"u{n}@gmail.com" for n in range(12)]})
    report = scan_frame("danh_ba", frame)
    assert isinstance(report, ScanReport) and not report.ok
    assert [f.row for f in report if f.kind == "mobile_phone"] == [1, 2, 3, 4, 5]
    assert report.counts == {("sdt", "mobile_phone"): 12, ("email", "email"): 12}
    assert report.total == 24
    assert "danh_ba.sdt: 7 more mobile_phone not shown" in report.lines()
    assert len(list(scan_frame("danh_ba", frame, limit=2))) == 4


def test_finding_reads_as_one_line():
    finding = Finding("ho_so", "ghi_chu", 7, "mobile_phone", mask("0912345678"))
    assert str(finding) == "ho_so.ghi_chu row 7: mobile_phone 091*****78"
    assert str(scan_frame("ho_so", pd.DataFrame({"a": ["ok"]}))) == "ho_so: no personal data found"


@pytest.mark.parametrize(
    "value", ["0912345678", "022090123456", "lan.nguyen@gmail.com", "ab", "C1234567", "Nguyễn Văn An"]
)
def test_mask_keeps_at_most_three_leading_and_two_trailing_characters(value):
    masked = mask(value)
    assert len(masked) == len(value) and "*" in masked
    head, tail = masked.index("*"), len(masked) - masked.rindex("*") - 1
    assert head <= 3 and tail <= 2
    assert masked == value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


HOTLINE = "0203 3835 123"


def test_allow_rules_are_column_scoped():
    frame = pd.DataFrame({"duong_day_nong": [HOTLINE, HOTLINE], "ghi_chu": [HOTLINE, "ok"]})
    rule = AllowRule("duong_day_nong", r"0203 3835 123", "Đường dây nóng của Sở, công bố công khai")
    report = scan_frame("t", frame, allow=[rule])
    assert report.counts == {("ghi_chu", "landline"): 1}
    assert report.allowed == {rule: 2}


def test_allow_rule_for_every_column_and_whole_value_only():
    frame = pd.DataFrame({"a": [HOTLINE], "b": [HOTLINE], "c": [f"Gọi {HOTLINE} hoặc 0912345678"]})
    rule = AllowRule("*", r"0203[ .]?3835[ .]?123", "Đường dây nóng của Sở")
    report = scan_frame("t", frame, allow=[rule])
    # The rule must match the whole value: the note that also holds a private mobile stays a finding.
    assert report.counts == {("c", "landline"): 1, ("c", "mobile_phone"): 1}
    assert report.allowed == {rule: 2}


def test_allow_rule_on_a_number_column_matches_its_digits():
    frame = pd.DataFrame({"sdt": [912345678, 987654321]})
    report = scan_frame("t", frame, allow=[AllowRule("sdt", "912345678", "Số tổng đài của đơn vị")])
    assert report.counts == {("sdt", "mobile_phone"): 1}


@pytest.mark.parametrize("pattern, reason", [("(", "hỏng"), ("abc", " ")])
def test_bad_allow_rules_are_rejected(pattern, reason):
    with pytest.raises(ValueError):
        AllowRule("a", pattern, reason)


NAMES = frozenset({"Nguyễn Văn An", "Trần Thị Lan", "H'Hen Niê", "Lê Văn An", "Lê Văn An Bình"})


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Văn An",
        "NGUYỄN  VĂN   AN",
        " nguyễn văn an ",
        unicodedata.normalize("NFD", "Nguyễn Văn An"),
        "Hồ sơ của ông Nguyễn Văn An, xã Hạ Long",
        "Người nộp: Trần Thị Lan.",
        "(Trần Thị Lan)",
        "Bà H'Hen Niê đã nhận kết quả",
    ],
)
def test_known_names_exact_and_embedded(text):
    assert kinds(text, known_names=NAMES) == {"person_name"}


@pytest.mark.parametrize(
    "text",
    ["Nguyễn Văn Anh", "Nguyễn Văn", "Văn An", "Trần Thị Lanh đã nộp", "Sở Khoa học và Công nghệ", "An"],
)
def test_known_names_need_the_whole_name_as_whole_words(text):
    assert kinds(text, known_names=NAMES) == set()


def test_longest_known_name_is_reported():
    (finding,) = scan_frame("t", pd.DataFrame({"ho_ten": ["Lê Văn An Bình"]}), known_names=NAMES)
    assert finding.masked == mask("le van an binh")  # names are matched, and reported, folded


def test_one_word_names_are_refused():
    with pytest.raises(ValueError, match="fewer than 2 words"):
        kinds("An", known_names=frozenset({"An", "Trần Thị Lan"}))


def test_columns_that_cannot_hold_personal_data_are_skipped():
    frame = pd.DataFrame(
        {
            "ngay": pd.to_datetime(["2024-06-30", "2024-07-01"]),
            "co": [True, False],
            "loai": pd.Categorical(["0912345678", "khác"]),
            "tron": [0.5, 1.5],
        }
    )
    assert scan_frame("t", frame).counts == {("loai", "mobile_phone"): 1}


def test_mixed_object_column():
    frame = pd.DataFrame({"ghi_chu": pd.Series(["ok", 912345678.0, 5, None, "lan@gmail.com"], dtype=object)})
    assert {f.kind for f in scan_frame("t", frame)} == {"email"}


def test_empty_frame():
    assert scan_frame("t", pd.DataFrame({"a": pd.Series([], dtype="str")})).ok


def test_reference_codes_are_complete():
    assert len(CITIZEN_ID_PROVINCES) == 63
    assert CITIZEN_ID_PROVINCES["022"] == "Quảng Ninh" and CITIZEN_ID_PROVINCES["079"] == "Hồ Chí Minh"
    assert len(LANDLINE_AREAS) == 63 and LANDLINE_AREAS["203"] == "Quảng Ninh"


@pytest.mark.parametrize(
    "digits, valid",
    [
        ("0100233488", True),
        ("0100233480", False),
        ("0314409058002", True),
        ("0314409058000", False),
        ("0100000008", False),
    ],
)
def test_tax_code_check_digit(digits, valid):
    assert tax_code_valid(digits) is valid


def test_luhn():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    "name, context",
    [
        ("Số điện thoại", {"phone"}),
        ("soDienThoai", {"phone"}),
        ("so_cmnd_cccd", {"id"}),
        ("thong_tin", set()),
        ("dien_tich", set()),
        ("ma_so_thue", {"tax"}),
        ("Số sổ BHXH", {"social"}),
    ],
)
def test_column_context(name, context):
    assert column_context(name) == context
