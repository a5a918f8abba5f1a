"""Person-level extracts for record-table tests: residents sorted by commune and applications sorted by date.

Both are sorted the way departments deliver them, so that any row order leaking into a published table would
carry the commune or the day that generalisation removed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import manifest_entry, write

RESIDENTS_SPEC = """\
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
  - {name: ethnicity, header: "Dân tộc", type: text, role: quasi_identifier,
     label: {vi: "Dân tộc", en: "Ethnicity"}, description: {vi: "x", en: "x"}}
  - {name: commune_code, header: "Mã xã", type: code, width: 5, role: quasi_identifier,
     label: {vi: "Mã xã", en: "Commune"}, description: {vi: "x", en: "x"}}
"""

APPLICATIONS_SPEC = """\
primary_key: [dossier_code]
columns:
  - {name: dossier_code, header: "Mã hồ sơ", type: text, required: true, role: direct_identifier,
     label: {vi: "Mã hồ sơ", en: "Dossier"}, description: {vi: "x", en: "x"}}
  - {name: applicant_personal_id, header: "Số định danh người nộp", type: code, width: 12, required: true,
     role: direct_identifier, label: {vi: "Số định danh", en: "ID"}, description: {vi: "x", en: "x"}}
  - {name: applicant_name, header: "Họ tên người nộp", type: text, role: direct_identifier,
     label: {vi: "Họ tên", en: "Name"}, description: {vi: "x", en: "x"}}
  - {name: submitted_on, header: "Ngày tiếp nhận", type: date, required: true, role: quasi_identifier,
     label: {vi: "Ngày tiếp nhận", en: "Received on"}, description: {vi: "x", en: "x"}}
  - {name: channel, header: "Kênh nộp", type: text, required: true, role: attribute,
     label: {vi: "Kênh nộp", en: "Channel"}, description: {vi: "x", en: "x"}}
  - {name: procedure_code, header: "Mã thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Mã thủ tục", en: "Procedure"}, description: {vi: "x", en: "x"}}
"""

COMMUNES = {"06658": 0.35, "06661": 0.25, "06664": 0.15, "06667": 0.12, "06670": 0.08, "06673": 0.05}
ETHNICITIES = {"Kinh": 0.55, "Tày": 0.2, "Dao": 0.15, "Sán Dìu": 0.1}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Quốc", "Thu"]
GIVEN = ["An", "Bình", "Châu", "Hà", "Huy", "Lan", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Trang"]


@dataclass
class Person:
    personal_id: str
    name: str
    birth: dt.date
    sex: str
    ethnicity: str
    commune: str


def people(n: int, seed: int = 6) -> list[Person]:
    """n residents with unique names and IDs, sorted by commune as the extract is."""
    rng = random.Random(seed)
    names = rng.sample([f"{s} {m} {g} {h}" for s in SURNAMES for m in MIDDLE for g in GIVEN for h in GIVEN], n)
    out = []
    for i, name in enumerate(names):
        sex = rng.choice(["Nam", "Nữ"])
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        century_sex = ("0" if birth.year < 2000 else "2") if sex == "Nam" else ("1" if birth.year < 2000 else "3")
        out.append(
            Person(
                f"022{century_sex}{birth.year % 100:02d}{i:06d}",
                name,
                birth,
                sex,
                rng.choices(list(ETHNICITIES), list(ETHNICITIES.values()))[0],
                rng.choices(list(COMMUNES), list(COMMUNES.values()))[0],
            )
        )
    return sorted(out, key=lambda p: p.commune)


def residents_csv(persons: list[Person]) -> str:
    lines = ["\ufeffSố định danh,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Mã xã"]
    lines += [f"{p.personal_id},{p.name},{p.birth:%d/%m/%Y},{p.sex},{p.ethnicity},{p.commune}" for p in persons]
    return "\r\n".join(lines) + "\r\n"


def applications_csv(persons: list[Person], seed: int = 7) -> str:
    """One application per person, sorted by the day it was received (2024-01-01 to 2024-06-29)."""
    rng = random.Random(seed)
    days = sorted(
        ((dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(180)), p) for p in persons), key=lambda pair: pair[0]
    )
    lines = ["\ufeffMã hồ sơ,Số định danh người nộp,Họ tên người nộp,Ngày tiếp nhận,Kênh nộp,Mã thủ tục"]
    lines += [
        f"H49-{i:06d},{p.personal_id},{p.name},{day:%d/%m/%Y},{rng.choice(['Trực tiếp', 'Trực tuyến'])},"
        f"{rng.choice(['1.001', '1.002', '2.003', '2.004', '2.005', '2.006', '2.007'])}"
        for i, (day, p) in enumerate(days)
    ]
    return "\r\n".join(lines) + "\r\n"


def add_source(data_dir: Path, name: str, spec: str, csv: str) -> None:
    write(data_dir / "specs" / f"{name}.yml", spec)
    (data_dir / "raw").mkdir(parents=True, exist_ok=True)
    (data_dir / "raw" / f"{name}.csv").write_text(csv, encoding="utf-8")


def add_dataset(
    data_dir: Path, dataset: str, source: str, spec: str, access: str = "public", synthetic: bool = True
) -> None:
    write(data_dir / "specs" / f"{dataset}.yml", spec)
    manifest = data_dir / "manifest.yml"
    entry = manifest_entry(dataset, source, access=access, synthetic=synthetic)
    manifest.write_text(manifest.read_text(encoding="utf-8") + entry, encoding="utf-8")
