"""The synthetic sample generator: deterministic, Excel-shaped, internally consistent, valid under its specs."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scripts.build.read.extract import read_csv
from scripts.build.read.validate import validate
from scripts.build.spec.manifest import load_manifest, load_spec
from scripts.sample import admin, identifiers, phones
from scripts.sample.__main__ import generate
from scripts.sample.province import DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "data" / "specs"
TINY = 2_000
FILES = [
    "project06_tasks.csv",
    "pilot_models.csv",
    "communes.csv",
    "residents.csv",
    "vneid_accounts.csv",
    "civil_status_events.csv",
    "mobile_subscribers.csv",
    "online_applications.csv",
    "online_procedures.csv",
]
REPORT_DATE = dt.date(2024, 6, 30)
PERIOD_START = dt.date(2023, 1, 1)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, TINY, DEFAULT_SEED, report=lambda line: None)
    return out


def records(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> dt.date:
    d, m, y = text.strip().split("/")
    return dt.date(int(y), int(m), int(d))


def test_two_runs_are_byte_identical(sample, tmp_path):
    generate(tmp_path, TINY, DEFAULT_SEED, report=lambda line: None)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (sample / name).read_bytes(), name


def test_another_seed_gives_other_people(sample, tmp_path):
    generate(tmp_path, TINY, DEFAULT_SEED + 1, report=lambda line: None)
    assert (tmp_path / "residents.csv").read_bytes() != (sample / "residents.csv").read_bytes()
    # Reference lists do not depend on the seed.
    for name in ("project06_tasks.csv", "pilot_models.csv", "communes.csv"):
        assert (tmp_path / name).read_bytes() == (sample / name).read_bytes(), name


def test_reference_lists_do_not_depend_on_scale(sample, tmp_path):
    generate(tmp_path, 500, DEFAULT_SEED, report=lambda line: None)
    for name in ("project06_tasks.csv", "pilot_models.csv", "communes.csv"):
        assert (tmp_path / name).read_bytes() == (sample / name).read_bytes(), name
    small = {r["Mã thủ tục"]: r["Tên thủ tục"] for r in records(tmp_path / "online_procedures.csv")}
    tiny = {r["Mã thủ tục"]: r["Tên thủ tục"] for r in records(sample / "online_procedures.csv")}
    assert small == tiny


def test_command_line_prints_one_line_per_file(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scripts.sample", "--residents", "300", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == sorted(FILES)
    assert "residents.csv\t300 rows" in lines
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_excel_shape_and_headers_match_the_spec(sample, name):
    data = (sample / name).read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(b"\n") == data.count(b"\r\n"), "every line ends with CRLF"
    header = next(csv.reader(io.StringIO(data[3:].decode("utf-8").split("\r\n", 1)[0])))
    spec = load_spec(SPECS / name.replace(".csv", ".yml"), name[:-4])
    assert header == [c.header for c in spec.columns]


@pytest.mark.parametrize("name", FILES)
def test_messy_values_are_repairable_under_the_spec(sample, name):
    spec = load_spec(SPECS / name.replace(".csv", ".yml"), name[:-4])
    checked = validate(read_csv(sample / name), spec)
    assert checked.problems == []
    assert len(checked.frame) > 0


def test_specs_mark_personal_data(sample):
    public = ["project06_tasks", "pilot_models", "online_procedures", "communes"]
    for dataset in public:
        roles = {c.role for c in load_spec(SPECS / f"{dataset}.yml", dataset).columns}
        assert roles == {"attribute"}, dataset
    residents = {c.name: c.role for c in load_spec(SPECS / "residents.yml", "residents").columns}
    assert residents["personal_id"] == residents["full_name"] == residents["phone"] == "direct_identifier"
    assert residents["birth_date"] == residents["commune_code"] == "quasi_identifier"
    assert residents["note"] == "free_text"


def test_personal_ids_agree_with_birth_date_and_sex(sample):
    people = records(sample / "residents.csv") + records(sample / "civil_status_events.csv")
    ids = [r["Số định danh cá nhân"].strip().zfill(12) for r in people]
    assert all(len(i) == 12 and i.isdigit() for i in ids)
    province, century_sex, year, _ = identifiers.parse(np.array([int(i) for i in ids]))
    assert set(province) <= set(identifiers.LEGACY_PROVINCE_CODES.tolist())
    born = [day(r["Ngày sinh"]) for r in people]
    male = [r["Giới tính"] == "Nam" for r in people]
    assert list(year) == [b.year % 100 for b in born]
    assert list(century_sex) == [2 * (b.year // 100 - 19) + (0 if m else 1) for b, m in zip(born, male)]
    local = np.mean(province == 22)
    assert 0.7 < local < 0.95, "most residents were registered at birth in the province (022)"


def test_residents_ids_are_unique(sample):
    ids = [r["Số định danh cá nhân"].strip().zfill(12) for r in records(sample / "residents.csv")]
    assert len(ids) == TINY == len(set(ids))


def normalise_phone(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits


def is_real_mobile(text: str) -> bool:
    number = normalise_phone(text)
    if len(number) == 11 and number.startswith("01"):  # pre-2018 numbering
        return int(number[1:4]) in phones.LEGACY_PREFIX.values()
    return len(number) == 10 and number[0] == "0" and int(number[1:3]) in phones.PREFIXES


def test_phones_have_real_prefixes(sample):
    written = [r["Số điện thoại"] for r in records(sample / "residents.csv")]
    written += [r["Số điện thoại"] for r in records(sample / "online_applications.csv")]
    present = [p for p in written if p]
    assert len(present) > TINY // 3
    assert all(is_real_mobile(p) for p in present)
    assert all(any(token in p for p in present) for token in ("+84 ", " ", "."))  # mixed spellings


def test_subscribers_belong_to_residents_and_carriers_own_their_prefixes(sample):
    residents = {
        r["Số định danh cá nhân"].strip().zfill(12): r["Họ và tên"].strip() for r in records(sample / "residents.csv")
    }
    subs = records(sample / "mobile_subscribers.csv")
    assert 0.85 < len(subs) / TINY < 1.05
    prefixes = {name: set(table) for name, _, table in phones.CARRIERS}
    numbers = set()
    for row in subs:
        number = row["Số thuê bao"].zfill(10)
        numbers.add(number)
        assert int(number[1:3]) in prefixes[row["Nhà mạng"]]
        owner = row["Số định danh cá nhân chủ thuê bao"].zfill(12)
        assert residents[owner] == row["Họ và tên chủ thuê bao"].strip()
        assert row["Trạng thái chuẩn hóa"] == "Đã chuẩn hóa"
        assert PERIOD_START <= day(row["Ngày chuẩn hóa"]) <= REPORT_DATE
    assert len(numbers) == len(subs)


def test_project06_task_figures(sample):
    tasks = records(sample / "project06_tasks.csv")
    assert len(tasks) == 41
    assert len({t["Nhóm nhiệm vụ"] for t in tasks}) == 7 == len({t["Nhóm"] for t in tasks})
    done = [t for t in tasks if t["Trạng thái"] == "Hoàn thành"]
    due = [t for t in tasks if t["Thời hạn hoàn thành"] and day(t["Thời hạn hoàn thành"]) <= REPORT_DATE]
    assert len(done) == 7
    assert len(due) == 6
    assert sum(t["Trạng thái"] == "Hoàn thành" for t in due) == 5
    assert all(t["Ngày hoàn thành"] and day(t["Ngày hoàn thành"]) <= REPORT_DATE for t in done)
    assert all(not t["Ngày hoàn thành"] for t in tasks if t["Trạng thái"] != "Hoàn thành")
    assert {t["Trạng thái"] for t in tasks} == {"Hoàn thành", "Đang thực hiện", "Chưa thực hiện"}


def test_45_pilot_models(sample):
    models = records(sample / "pilot_models.csv")
    assert len(models) == 45 == len({m["Mã mô hình"] for m in models})
    assert all(day(m["Ngày triển khai"]) <= REPORT_DATE for m in models)


def test_54_communes_of_the_province(sample):
    units = records(sample / "communes.csv")
    assert len(units) == 54 == len({u["Mã xã"].zfill(5) for u in units})
    assert {u["Loại đơn vị"] for u in units} == {"Xã", "Phường", "Đặc khu"}
    assert {u["Mã tỉnh"] for u in units} == {"22"}
    assert any(len(u["Mã xã"]) < 5 for u in units), "some codes lost their leading zero"


def test_every_commune_gets_hundreds_of_residents_at_small_scale():
    units = admin.load()
    counts = admin.allocate(40_000, units.weight, 250)
    assert counts.sum() == 40_000
    assert counts.min() >= 250


def test_event_rates_and_dates(sample):
    events = records(sample / "civil_status_events.csv")
    kinds = {k: sum(e["Loại sự kiện"] == k for e in events) for k in ("Khai sinh", "Kết hôn", "Khai tử")}
    years = 1.5
    assert 8 < kinds["Khai sinh"] / TINY * 1000 / years < 20
    assert 3 < kinds["Khai tử"] / TINY * 1000 / years < 9
    assert 4 < kinds["Kết hôn"] / 2 / TINY * 1000 / years < 10
    for e in events:
        assert PERIOD_START <= day(e["Ngày đăng ký"]) <= REPORT_DATE
        if e["Ngày xảy ra sự kiện"]:
            assert day(e["Ngày xảy ra sự kiện"]) <= day(e["Ngày đăng ký"])


def test_vneid_covers_about_seventy_percent_of_adults(sample):
    residents = records(sample / "residents.csv")
    adults = {
        r["Số định danh cá nhân"].strip().zfill(12)
        for r in residents
        if (REPORT_DATE - day(r["Ngày sinh"])).days >= 18 * 365.25
    }
    accounts = records(sample / "vneid_accounts.csv")
    registered = {a["Số định danh cá nhân"].zfill(12) for a in accounts}
    assert 0.6 < len(adults & registered) / len(adults) < 0.8
    for a in accounts:
        if a["Ngày kích hoạt"]:
            assert day(a["Ngày đăng ký"]) <= day(a["Ngày kích hoạt"]) <= REPORT_DATE


def test_procedure_counts_are_the_applications_of_2024_h1(sample):
    catalogue = records(sample / "online_procedures.csv")
    assert 250 <= len(catalogue) <= 400
    received = {c["Mã thủ tục"]: int(c["Số hồ sơ tiếp nhận 6 tháng đầu năm 2024"].replace(".", "")) for c in catalogue}
    online = {c["Mã thủ tục"]: int(c["Trong đó: tiếp nhận trực tuyến"].replace(".", "")) for c in catalogue}
    expected = dict.fromkeys(received, 0)
    expected_online = dict.fromkeys(received, 0)
    for a in records(sample / "online_applications.csv"):
        if day(a["Ngày tiếp nhận"]) >= dt.date(2024, 1, 1):
            expected[a["Mã thủ tục"]] += 1
            expected_online[a["Mã thủ tục"]] += a["Kênh nộp"].startswith("Cổng")
    assert received == expected
    assert online == expected_online


def test_applications_follow_their_deadlines(sample):
    for a in records(sample / "online_applications.csv"):
        submitted, due = day(a["Ngày tiếp nhận"]), day(a["Ngày hẹn trả"])
        assert PERIOD_START <= submitted <= REPORT_DATE and submitted <= due
        if a["Trạng thái"] == "Đang xử lý":
            assert a["Ngày trả kết quả"] == ""
        else:
            result = day(a["Ngày trả kết quả"])
            assert result <= REPORT_DATE
            assert (result > due) == (a["Trạng thái"] == "Trễ hạn")
        if a["Đăng nhập VNeID"] == "Có":
            assert a["Kênh nộp"].startswith("Cổng")
        if a["Kênh nộp"] in ("Trực tiếp", "Bưu chính công ích"):
            assert submitted.weekday() < 5


def test_every_manifest_dataset_is_labelled_synthetic():
    manifest = load_manifest(ROOT / "data" / "manifest.yml")
    assert {"project06_tasks", "pilot_models", "online_procedures", "communes"} <= {d.id for d in manifest.datasets}
    for entry in manifest.datasets:
        assert entry.synthetic, entry.id
        assert "mẫu" in entry.title.vi and "sample" in entry.title.en, entry.id
        assert all((ROOT / "data" / name).parent.name == "raw" for name in entry.source.files)
        assert (ROOT / "data" / entry.spec).exists()


def test_a_sample_written_by_another_version_of_the_generator_is_not_current(tmp_path, monkeypatch):
    from scripts.sample import version

    assert not version.is_current(tmp_path)  # no marker: a generation cut short
    version.mark(tmp_path, "province")
    assert version.is_current(tmp_path) and version.is_current(tmp_path, "province")
    assert not version.is_current(tmp_path, "small")
    (tmp_path / version.MARKER).write_text("province\n")  # the marker of a generator before this one
    assert not version.is_current(tmp_path)
    assert version.main(["scale", str(tmp_path)]) == 0
    version.mark(tmp_path, "small")
    monkeypatch.setattr(version, "GENERATOR", tmp_path)  # the generator's code changes: another digest
    (tmp_path / "module.py").write_text("changed = True\n")
    assert not version.is_current(tmp_path)
