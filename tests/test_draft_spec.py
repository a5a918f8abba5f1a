"""`make spec`: a drafted spec suggests each column's type and role with its evidence, shows no value of the file,
and reads back as a spec (which the build then refuses: tests/test_draft_spec_build.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from scripts.build.read.extract import ExtractError, read_csv
from scripts.build.spec.manifest import Spec
from scripts.ops.draft_spec import DraftRefused, draft
from scripts.ops.drafting.known_people import portal_people
from scripts.ops.drafting.measures import Communes, KnownPeople
from tests.conftest import REPO, write

SAMPLE_FILES = [
    "civil_status_events",
    "communes",
    "mobile_subscribers",
    "online_applications",
    "online_procedures",
    "pilot_models",
    "project06_tasks",
    "residents",
    "vneid_accounts",
]


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory):
    """The repository's data/ with the small synthetic sample generated afresh (the same bytes as `make sample`)."""
    data = tmp_path_factory.mktemp("draft") / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("raw"))
    subprocess.run(
        [sys.executable, "-m", "scripts.sample", "--scale", "small", "--out", str(data / "raw")],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    return data


@pytest.fixture(scope="module")
def communes():
    return Communes.of_the_province()


@pytest.fixture(scope="module")
def sample_drafts(sample_data, communes):
    """Every sample file drafted as `make spec` drafts it, knowing the people of the portal's sources."""
    known, unread = portal_people(sample_data)
    assert unread == [] and len(known.names) > 10_000 and len(known.addresses) > 10_000
    return {name: draft(sample_data / "raw" / f"{name}.csv", name, known, communes) for name in SAMPLE_FILES}


def columns_of(text: str) -> dict[str, dict]:
    return {column["header"]: column for column in yaml.safe_load(text)["columns"]}


def test_residents_roles_are_suggested_with_their_evidence(sample_drafts):
    columns = columns_of(sample_drafts["residents"])
    suggested = {header: column["suggested_role"] for header, column in columns.items()}
    assert suggested == {
        "Số định danh cá nhân": "direct_identifier",
        "Họ và tên": "direct_identifier",
        "Số điện thoại": "direct_identifier",
        "Địa chỉ thường trú": "direct_identifier",
        "Ngày sinh": "quasi_identifier",
        "Giới tính": "quasi_identifier",
        "Dân tộc": "quasi_identifier",
        "Mã xã": "quasi_identifier",
        "Tên xã/phường/đặc khu": "quasi_identifier",
        "Ghi chú": "free_text",
    }
    evidence = {header: column["evidence"] for header, column in columns.items()}
    assert "of 5,000 sampled values, 100% hold 12-digit citizen IDs (gate)" in evidence["Số định danh cá nhân"]
    assert "100% hold mobile phone numbers (gate)" in evidence["Số điện thoại"]
    assert "100% hold names of people in the portal's sources" in evidence["Họ và tên"]
    assert "house-level addresses of people in the portal's sources" in evidence["Địa chỉ thường trú"]
    assert evidence["Mã xã"].startswith("100% of 5,000 sampled values are commune codes of Tỉnh Quảng Ninh")
    assert evidence["Tên xã/phường/đặc khu"].startswith("100% of 5,000 sampled values are commune names of Tỉnh")
    assert evidence["Ngày sinh"].startswith("the header reads as a date or year of birth")
    assert "hold mobile phone numbers" in evidence["Ghi chú"] and "hold 12-digit citizen IDs" in evidence["Ghi chú"]
    assert {column["role"] for column in columns.values()} == {"unconfirmed"}


def test_every_sample_file_gets_the_types_and_roles_its_reviewed_spec_declares(sample_drafts):
    for name, text in sample_drafts.items():
        drafted = columns_of(text)
        reviewed = columns_of((REPO / "data" / "specs" / f"{name}.yml").read_text(encoding="utf-8"))
        assert drafted.keys() == reviewed.keys(), name
        for header, column in reviewed.items():
            got = drafted[header]
            assert (got["suggested_role"], got["type"], got.get("width")) == (
                column["role"],
                column["type"],
                column.get("width"),
            ), f"{name}: {header}: {got['evidence']}"


def test_no_value_of_a_personal_column_is_written(sample_data, sample_drafts):
    raw = read_csv(sample_data / "raw" / "residents.csv").frame
    text = sample_drafts["residents"]
    for header in ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Địa chỉ thường trú", "Số điện thoại", "Ghi chú"]:
        values = {value for value in raw[header].unique() if len(value) >= 4}
        assert values and not [value for value in values if value in text], header


def test_a_draft_reads_back_as_a_spec_with_every_role_unconfirmed(sample_drafts):
    spec = Spec.model_validate(yaml.safe_load(sample_drafts["online_applications"]))
    assert {column.role for column in spec.columns} == {"unconfirmed"}
    assert spec.primary_key == ["ma_ho_so"]
    assert spec.column("ma_xa").type == "code" and spec.column("ma_xa").width == 5
    assert spec.column("so_dinh_danh_nguoi_nop").label.vi == "Số định danh người nộp"


def draft_inline(tmp_path, text: str, communes) -> dict[str, dict]:
    """The columns drafted from a tiny delivered file, knowing no one."""
    path = write(tmp_path / "raw" / "inline.csv", text)
    drafted = draft(path, "inline", KnownPeople(), communes)
    Spec.model_validate(yaml.safe_load(drafted))
    return columns_of(drafted)


def test_an_empty_column_and_a_column_of_missing_values(tmp_path, communes):
    rows = "".join(f"{i},,,{'Có' if i % 2 else 'Không'}\n" for i in range(1, 21))
    columns = draft_inline(tmp_path, "Mã hồ sơ,,Số điện thoại,Đã trả\n" + rows, communes)
    blank = columns["Unnamed: 1"]  # a trailing comma in Excel's export: no header, no value
    assert blank["name"] == "column_2" and blank["type"] == "text" and blank["suggested_role"] == "attribute"
    assert blank["evidence"].startswith("every one of the 20 values is empty")
    phone = columns["Số điện thoại"]  # nothing to measure: the header still says what the column is for
    assert phone["suggested_role"] == "direct_identifier" and "no value among 20 rows" in phone["evidence"]
    assert "required" not in phone
    assert columns["Đã trả"]["type"] == "boolean" and columns["Mã hồ sơ"]["required"] is True


def test_mixed_types_stay_text_and_say_what_most_values_are(tmp_path, communes):
    rows = "".join(
        f'{i:02d}/03/2024,{i}{".5" if i % 2 else ""},"{i}.000",{"0" if i % 2 else "A"}{i}\n' for i in range(1, 10)
    )
    path = write(tmp_path / "raw" / "mixed.csv", "Ngày,Tỉ lệ,Kinh phí,Mã\n" + rows + 'chưa rõ,7,"12.000",010\n')
    text = draft(path, "mixed", KnownPeople(), communes)
    columns = columns_of(text)
    assert columns["Ngày"]["type"] == "text"
    assert "TO REVIEW: 90% of values read as date and the rest do not; text unless the file is corrected" in text
    assert columns["Tỉ lệ"]["type"] == "number"  # whole and decimal numbers together
    assert columns["Kinh phí"]["type"] == "integer" and "removed thousands separators in 10 values" in text
    assert columns["Mã"]["type"] == "text"  # codes of digits and codes with letters


def test_lost_leading_zeros_and_thousands_separators_are_typed_as_the_build_repairs_them(tmp_path, communes):
    rows = "".join(f'{6652 if i % 2 else "06658"},{i:02d},"{i},250"\n' for i in range(1, 13))
    path = write(tmp_path / "raw" / "communes_only.csv", "Mã xã,Mã nhóm,Dân số\n" + rows)
    text = draft(path, "communes_only", KnownPeople(), communes)
    columns = columns_of(text)
    assert (columns["Mã xã"]["type"], columns["Mã xã"]["width"]) == ("code", 5)
    assert "# the build will repair: restored leading zeros in 6 values" in text
    assert columns["Dân số"]["type"] == "integer" and "removed thousands separators in 12 values" in text
    # No column points at a person: a commune is where something is, not where someone lives.
    assert columns["Mã xã"]["suggested_role"] == "attribute"
    assert "the file is not about people" in columns["Mã xã"]["evidence"]


def test_a_file_about_people_without_identifiers_still_has_quasi_identifiers(tmp_path, communes):
    rows = "".join(f"{1950 + i},{'Nam' if i % 2 else 'Nữ'},06652,0{1 + i % 9}/02/2024,{i % 5}\n" for i in range(20))
    columns = draft_inline(tmp_path, "Năm sinh,Giới tính,Mã xã,Ngày đăng ký,2024\n" + rows, communes)
    suggested = {header: column["suggested_role"] for header, column in columns.items()}
    assert suggested == {
        "Năm sinh": "quasi_identifier",
        "Giới tính": "quasi_identifier",
        "Mã xã": "quasi_identifier",
        "Ngày đăng ký": "quasi_identifier",
        "2024": "attribute",
    }
    assert "the file is about people ('Năm sinh' is a trait of a person)" in columns["Mã xã"]["evidence"]
    assert columns["2024"]["name"] == "column_5" and columns["2024"]["type"] == "integer"


def test_values_alone_reveal_names_and_e_mails_under_plain_headers(tmp_path, communes):
    people = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Thu Hà"]
    rows = "".join(f"{people[i % 5]},nguoi{i}@example.vn,{i % 3}\n" for i in range(30))
    columns = draft_inline(tmp_path, "Người liên hệ,Liên lạc,Số con\n" + rows, communes)
    assert columns["Người liên hệ"]["suggested_role"] == "direct_identifier"
    assert "100% of 30 values are shaped like Vietnamese full names" in columns["Người liên hệ"]["evidence"]
    assert columns["Liên lạc"]["suggested_role"] == "direct_identifier"
    assert columns["Liên lạc"]["evidence"] == "of 30 values, 100% hold e-mail addresses (gate)"
    assert (columns["Số con"]["type"], columns["Số con"]["suggested_role"]) == ("integer", "attribute")


def test_a_header_only_file_and_a_missing_header_row_are_refused_without_values(tmp_path, communes):
    with pytest.raises(ExtractError, match="has a header but no data rows"):
        draft(write(tmp_path / "header_only.csv", "Số định danh cá nhân,Họ và tên\n"), "x", KnownPeople(), communes)
    record = "022190541006,Lê Thanh Linh,09/11/1990\n"
    with pytest.raises(DraftRefused) as refused:
        draft(write(tmp_path / "no_header.csv", record * 3), "x", KnownPeople(), communes)
    assert "is the header row missing?" in str(refused.value)
    assert not any(value in str(refused.value) for value in record.strip().split(","))


def run_draft(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.ops.draft_spec", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_the_command_writes_a_new_spec_and_never_overwrites_one_unless_forced(sample_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_data, data, ignore=shutil.ignore_patterns("specs"))
    (data / "specs").mkdir()
    source = str(data / "raw" / "vneid_accounts.csv")
    first = run_draft("--source", source, "--id", "vneid_new", "--data", str(data))
    assert first.returncode == 0, first.stderr
    spec = data / "specs" / "vneid_new.yml"
    drafted = spec.read_text(encoding="utf-8")
    assert "Số định danh cá nhân  code(12)   suggested direct_identifier" in first.stdout
    ids = set(pd.read_csv(source, dtype=str)[["Số định danh cá nhân"]].iloc[:, 0])
    assert not [value for value in ids if value in first.stdout + first.stderr + drafted]

    spec.write_text("# edited by an admin\n" + drafted, encoding="utf-8")
    again = run_draft("--source", source, "--id", "vneid_new", "--data", str(data))
    assert again.returncode == 1 and "exists; remove it or run again with FORCE=1" in again.stderr
    assert spec.read_text(encoding="utf-8").startswith("# edited by an admin")
    forced = run_draft("--source", source, "--id", "vneid_new", "--data", str(data), "--force")
    assert forced.returncode == 0 and spec.read_text(encoding="utf-8") == drafted


def test_bad_input_is_one_plain_line(tmp_path):
    missing = run_draft("--source", str(tmp_path / "nope.csv"), "--id", "people", "--data", str(tmp_path))
    assert missing.returncode == 1 and missing.stderr.strip().endswith("nope.csv: source file not found")
    folder = run_draft("--source", str(tmp_path), "--id", "people", "--data", str(tmp_path))
    assert folder.returncode == 1 and folder.stderr.count("\n") == 1
    usage = run_draft("--id", "people")
    assert usage.returncode == 2 and usage.stderr.startswith("usage: make spec SOURCE=")
    bad_id = run_draft("--source", str(tmp_path / "x.csv"), "--id", "People-2024")
    assert bad_id.returncode == 2 and "must be snake_case" in bad_id.stderr
    assert not any("Traceback" in result.stderr for result in (missing, folder, usage, bad_id))
    assert not list(tmp_path.rglob("*.yml"))
