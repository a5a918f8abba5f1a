"""Person-level sources through the real build: only safe derived tables are published, leaks fail the build."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scripts.build.anonymise.pseudonym import DEVELOPMENT_KEY, KEY_VARIABLE
from scripts.build.pipeline import build
from scripts.build.steps import BuildFailed
from tests.conftest import manifest_entry, write

PEOPLE_SPEC = """\
primary_key: [personal_id]
columns:
  - {name: personal_id, header: "Số định danh", type: code, width: 12, required: true, role: direct_identifier,
     label: {vi: "Số định danh", en: "ID"}, description: {vi: "x", en: "x"}}
  - {name: full_name, header: "Họ và tên", type: text, role: direct_identifier,
     label: {vi: "Họ tên", en: "Name"}, description: {vi: "x", en: "x"}}
  - {name: birth_date, header: "Ngày sinh", type: date, role: quasi_identifier,
     label: {vi: "Ngày sinh", en: "Birth date"}, description: {vi: "x", en: "x"}}
  - {name: sex, header: "Giới tính", type: text, role: quasi_identifier,
     label: {vi: "Giới tính", en: "Sex"}, description: {vi: "x", en: "x"}}
  - {name: commune_code, header: "Mã xã", type: code, width: 5, role: quasi_identifier,
     label: {vi: "Mã xã", en: "Commune"}, description: {vi: "x", en: "x"}}
  - {name: remark, header: "Nhận xét", type: text, role: attribute,
     label: {vi: "Nhận xét", en: "Remark"}, description: {vi: "x", en: "x"}}
  - {name: note, header: "Ghi chú", type: text, role: free_text,
     label: {vi: "Ghi chú", en: "Note"}, description: {vi: "x", en: "x"}}
"""

AGGREGATE_SPEC = """\
derive:
  kind: aggregate
  source: people
  dimensions:
    - {column: commune_code, categories: ["06658", "06661", "06664"]}
    - {column: sex, categories: ["Nam", "Nữ"]}
  count: {name: residents, label: {vi: "Số dân", en: "Residents"}, description: {vi: "x", en: "x"}}
  threshold: 10
facets: [sex]
"""

RECORDS_SPEC = """\
derive:
  kind: records
  source: people
  pseudonymise:
    - {column: personal_id, name: person_key, label: {vi: "Bí danh", en: "Key"}, description: {vi: "x", en: "x"}}
  quasi_identifiers:
    - {column: birth_date, name: age_band, levels: [age_band_5y, age_band_20y]}
    - {column: sex, levels: [identity]}
  keep: [KEEP]
  k: 5
"""

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Thu Hà", "Quốc Huy", "Ngọc Lan"]


def people_csv(rows: int = 240, remark=lambda i: "") -> str:
    lines = ["\ufeffSố định danh,Họ và tên,Ngày sinh,Giới tính,Mã xã,Nhận xét,Ghi chú"]
    for i in range(rows):
        sex = "Nam" if i % 2 else "Nữ"
        year = 1950 + (i * 7) % 60
        century_sex = ("0" if year < 2000 else "2") if sex == "Nam" else ("1" if year < 2000 else "3")
        pid = f"022{century_sex}{year % 100:02d}{i:06d}"
        name = (
            f"{SURNAMES[i % 5]} {GIVEN[i % 6]} {i}".rsplit(" ", 1)[0] if i % 3 else f"{SURNAMES[i % 5]} {GIVEN[i % 6]}"
        )
        commune = ["06658", "06661", "06664"][i % 3]
        lines.append(
            f"{pid},{name},{1 + i % 28:02d}/{1 + i % 12:02d}/{year},{sex},{commune},{remark(i)},Gọi 0912 345 {i % 1000:03d}"
        )
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def people_dir(data_dir: Path) -> Path:
    write(data_dir / "specs" / "people.yml", PEOPLE_SPEC)
    write(data_dir / "raw" / "people.csv", people_csv())
    return data_dir


def add_dataset(data_dir: Path, dataset: str, spec: str, access: str = "public", synthetic: bool = True) -> None:
    write(data_dir / "specs" / f"{dataset}.yml", spec)
    manifest = data_dir / "manifest.yml"
    entry = manifest_entry(dataset, "people", access=access, synthetic=synthetic)
    manifest.write_text(manifest.read_text(encoding="utf-8") + entry, encoding="utf-8")


@pytest.fixture
def development_key(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, DEVELOPMENT_KEY.decode())


def tables(path: Path) -> set[str]:
    return {r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master where type='table'")}


def test_person_level_source_is_published_only_as_its_aggregate(people_dir, portal_metadata, tmp_path):
    add_dataset(people_dir, "people_by_commune_sex", AGGREGATE_SPEC)
    release, _outcome = build(people_dir, tmp_path / "build", portal_metadata)
    db = sqlite3.connect(release / "portal.db")
    columns = [r[1] for r in db.execute("pragma table_info(people_by_commune_sex)")]
    assert columns == ["commune_code", "sex", "residents", "suppression"]
    assert db.execute(
        "select residents from people_by_commune_sex where commune_code='Tổng' and sex='Tổng'"
    ).fetchone() == (240,)
    report = db.execute("select rows_in, method, columns_dropped from disclosure_report").fetchone()
    assert report[:2] == (240, "aggregate") and "personal_id" in json.loads(report[2])
    everything = release.joinpath("portal.db").read_bytes()
    assert b"Nguy" not in everything and b"0912" not in everything


def test_pseudonymised_records_go_to_the_restricted_database_only(
    people_dir, portal_metadata, tmp_path, development_key
):
    add_dataset(people_dir, "people_records", RECORDS_SPEC.replace("[KEEP]", "[]"), access="restricted")
    release, _ = build(people_dir, tmp_path / "build", portal_metadata)
    assert "people_records" not in tables(release / "portal.db")
    db = sqlite3.connect(release / "restricted.db")
    keys = [r[0] for r in db.execute("select person_key from people_records")]
    assert len(keys) >= 200 and all(len(k) == 26 and k.isalnum() for k in keys)
    assert db.execute("select k from disclosure_report where dataset='people_records'").fetchone()[0] >= 5
    assert (
        db.execute("select min(c) from (select count(*) c from people_records group by age_band, sex)").fetchone()[0]
        >= 5
    )


def test_pseudonyms_without_a_key_fail_the_build(people_dir, portal_metadata, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    add_dataset(people_dir, "people_records", RECORDS_SPEC.replace("[KEEP]", "[]"), access="restricted")
    with pytest.raises(BuildFailed, match="need a secret key"):
        build(people_dir, tmp_path / "build", portal_metadata)


def test_the_development_key_is_refused_for_real_data(people_dir, portal_metadata, tmp_path, development_key):
    add_dataset(
        people_dir, "people_records", RECORDS_SPEC.replace("[KEEP]", "[]"), access="restricted", synthetic=False
    )
    with pytest.raises(BuildFailed, match="development key may only pseudonymise synthetic"):
        build(people_dir, tmp_path / "build", portal_metadata)


@pytest.mark.parametrize("column", ["note", "full_name", "personal_id"])
def test_identifiers_and_free_text_can_never_be_kept(people_dir, portal_metadata, tmp_path, development_key, column):
    add_dataset(people_dir, "people_records", RECORDS_SPEC.replace("[KEEP]", f"[{column}]"))
    with pytest.raises(BuildFailed, match=f"column '{column}' is a (direct_identifier|free_text)"):
        build(people_dir, tmp_path / "build", portal_metadata)


NOTES_SPEC = """\
primary_key: [note_id]
columns:
  - {name: note_id, header: "Mã", type: integer, required: true, role: attribute,
     label: {vi: "Mã", en: "Id"}, description: {vi: "x", en: "x"}}
  - {name: remark, header: "Nhận xét", type: text, role: attribute,
     label: {vi: "Nhận xét", en: "Remark"}, description: {vi: "x", en: "x"}}
"""


def add_notes(data_dir: Path, remark) -> None:
    """An as-delivered table whose department wrote personal data into a column declared harmless."""
    rows = "".join(f"{i},{remark(i)}\r\n" for i in range(40))
    write(data_dir / "raw" / "notes.csv", "\ufeffMã,Nhận xét\r\n" + rows)
    write(data_dir / "specs" / "notes.yml", NOTES_SPEC)
    manifest = data_dir / "manifest.yml"
    entry = manifest_entry("notes", "notes")
    manifest.write_text(manifest.read_text(encoding="utf-8") + entry, encoding="utf-8")


@pytest.mark.parametrize(
    "remark, kind",
    [
        (lambda i: f"Liên hệ 0912 345 {i:03d}", "mobile_phone"),  # a phone hidden in an innocent-looking column
        (lambda i: f"22{i % 2}{80 + i % 10}{i:06d}", "citizen_id"),  # ID numbers whose leading zero Excel dropped
        (lambda i: f"a{i}@gmail.com", "email"),
    ],
)
def test_the_gate_stops_identifiers_hidden_in_published_columns(
    people_dir, portal_metadata, tmp_path, development_key, remark, kind
):
    add_notes(people_dir, remark)
    with pytest.raises(BuildFailed) as failure:
        build(people_dir, tmp_path / "build", portal_metadata)
    message = str(failure.value)
    assert "dataset 'notes'" in message and "remark" in message and kind in message
    assert "0912 345 001" not in message  # findings are masked
    assert not (tmp_path / "build" / "current").exists()


def test_the_gate_stops_names_of_people_in_the_sources(people_dir, portal_metadata, tmp_path, development_key):
    # The people source is read for its aggregate, so the gate knows its names.
    add_dataset(people_dir, "people_by_commune_sex", AGGREGATE_SPEC)
    add_notes(people_dir, lambda i: "Nguyễn Văn An" if i == 7 else "")
    with pytest.raises(BuildFailed, match="person_name"):
        build(people_dir, tmp_path / "build", portal_metadata)


def test_a_column_renamed_by_the_department_fails_validation(people_dir, portal_metadata, tmp_path):
    csv = people_dir / "raw" / "people.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Họ và tên", "Họ tên"), encoding="utf-8")
    add_dataset(people_dir, "people_by_commune_sex", AGGREGATE_SPEC)
    with pytest.raises(BuildFailed, match="column 'Họ tên' is not declared in the spec; was 'Họ và tên' renamed"):
        build(people_dir, tmp_path / "build", portal_metadata)
