"""`make spec`: a drafted spec suggests each column's role with its evidence, shows no value, and is refused by
the build until every role is confirmed."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from scripts.build import build
from scripts.draft_spec import draft, write_draft
from scripts.steps import BuildFailed
from tests.conftest import REPO, manifest_entry, write

PEOPLE = (
    "\ufeffSố định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Địa chỉ thường trú,Số điện thoại,Ghi chú,Số con\r\n"
    + "".join(
        f"022{i % 2}9{i % 10}{i:06d},{['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Minh Châu'][i % 3]} {i},"
        f"{1 + i % 28:02d}/0{1 + i % 9}/19{50 + i % 40},{'Nam' if i % 2 else 'Nữ'},0{6658 + i % 3},"
        f"Số {i} tổ {i % 7} khu {i % 5},09{i % 10}{i:07d},,{i % 4}\r\n"
        for i in range(60)
    )
)


@pytest.fixture
def people_file(tmp_path):
    return write(tmp_path / "raw" / "people.csv", PEOPLE)


def test_each_column_gets_a_suggested_role_with_its_evidence(people_file):
    columns = {c["header"]: c for c in draft(people_file, "people")["columns"]}
    suggested = {header: c["suggested_role"] for header, c in columns.items()}
    assert suggested == {
        "Số định danh cá nhân": "direct_identifier", "Họ và tên": "direct_identifier",
        "Ngày sinh": "quasi_identifier", "Giới tính": "quasi_identifier", "Mã xã": "quasi_identifier",
        "Địa chỉ thường trú": "direct_identifier", "Số điện thoại": "direct_identifier", "Ghi chú": "free_text",
        "Số con": "attribute",
    }
    assert columns["Số định danh cá nhân"]["evidence"] == "100% of 60 distinct values match the 12-digit citizen ID"
    assert "mobile phone" in columns["Số điện thoại"]["evidence"]
    assert {c["role"] for c in columns.values()} == {"unconfirmed"}
    types = {header: (c["type"], c.get("width")) for header, c in columns.items()}
    assert types["Ngày sinh"] == ("date", None) and types["Mã xã"] == ("code", 5)
    assert types["Số con"] == ("integer", None)


def test_the_draft_shows_no_value_and_is_not_overwritten(people_file, tmp_path):
    out = write_draft(people_file, "people", tmp_path / "specs" / "people.yml")
    text = out.read_text(encoding="utf-8")
    assert "Nguyễn" not in text and "022" not in text and "Số 1 tổ" not in text and "09" not in text.split("#")[-1]
    assert yaml.safe_load(text)["columns"][0]["name"] == "so_dinh_danh_ca_nhan"
    result = subprocess.run([sys.executable, "-m", "scripts.draft_spec", "--source", str(people_file), "--id", "people",
                             "--specs", str(tmp_path / "specs")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1 and "exists; remove it or run again with FORCE=1" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_one_plain_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scripts.draft_spec", "--source", str(tmp_path / "nope.csv"),
                             "--id", "people", "--specs", str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.strip().endswith("source file not found")


def test_the_build_refuses_a_drafted_spec_until_every_role_is_confirmed(data_dir, portal_metadata, tmp_path):
    write(data_dir / "raw" / "people.csv", PEOPLE)
    spec = write_draft(data_dir / "raw" / "people.csv", "people", data_dir / "specs" / "people.yml")
    manifest = data_dir / "manifest.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + manifest_entry("people", "people"), encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(data_dir, tmp_path / "build", portal_metadata)
    message = str(failure.value)
    assert "columns[0] ('so_dinh_danh_ca_nhan'): role is unconfirmed; set 'role' to the confirmed role " \
           "(suggested: direct_identifier" in message
    assert message.count("role is unconfirmed") == 9 and "Nguyễn" not in message
    assert not (tmp_path / "build" / "current").exists()
    confirmed = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for column in confirmed["columns"]:
        column["role"] = column["suggested_role"]
    spec.write_text(yaml.safe_dump(confirmed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    release, outcome = build(data_dir, tmp_path / "build", portal_metadata)
    # Confirmed, the dataset is read and checked; holding personal data, it is published only through a derived table.
    assert "people" in outcome.skipped and "personal data" in outcome.skipped["people"]
