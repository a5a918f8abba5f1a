"""A tiny data/ directory with code lists: communes and procedures (public), a public table with two measures by
commune, and a restricted table of codes. The sample's restricted tables publish no codes (the whole province and
withheld procedures), so the restricted tier's names are tested here, on a real build of these files."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MANIFEST_HEAD, REPO, manifest_entry, write

COMMUNES = """\ufeffMã xã,Tên đơn vị hành chính,Loại đơn vị,Mã tỉnh,Tên tỉnh,Vĩ độ,Kinh độ,Diện tích (km²)
06652,Phường Hà Tu,Phường,22,Tỉnh Quảng Ninh,20.9393,107.122,37.6
06658,Phường Cao Xanh,Phường,22,Tỉnh Quảng Ninh,21.0013,107.128,38.89
07030,Xã Quảng Tân,Xã,22,Tỉnh Quảng Ninh,21.3810,107.6480,60.1
07192,Đặc khu Cô Tô,Đặc khu,22,Tỉnh Quảng Ninh,20.9770,107.7640,47.3
"""

PROCEDURES_SPEC = """\
primary_key: [procedure_code]
columns:
  - {name: procedure_code, header: "Mã thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Mã thủ tục", en: "Procedure code"}, description: {vi: "Mã", en: "Code"}}
  - {name: procedure_name, header: "Tên thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Tên thủ tục", en: "Procedure"}, description: {vi: "Tên", en: "Name"}}
label_column: procedure_name
"""
PROCEDURES = "\ufeffMã thủ tục,Tên thủ tục\n1.001,Đăng ký thường trú\n2.002,Cấp phiếu lý lịch tư pháp\n"

STATIONS_SPEC = """\
primary_key: [station_code]
columns:
  - {name: station_code, header: "Mã điểm", type: text, required: true, role: attribute,
     label: {vi: "Mã điểm", en: "Station code"}, description: {vi: "Mã điểm", en: "Station code"}}
  - {name: commune_code, header: "Mã xã", type: code, width: 5, required: true, role: attribute,
     label: {vi: "Mã xã", en: "Commune code"}, description: {vi: "Mã xã", en: "Commune code"}}
  - {name: staff, header: "Cán bộ", type: integer, role: attribute, unit: "người",
     label: {vi: "Cán bộ", en: "Staff"}, description: {vi: "Số cán bộ", en: "Staff"}}
  - {name: visitors, header: "Lượt khách", type: integer, role: attribute, unit: "lượt",
     label: {vi: "Lượt khách", en: "Visitors"}, description: {vi: "Lượt khách", en: "Visitors"}}
facets: [commune_code]
"""
STATIONS = "\ufeffMã điểm,Mã xã,Cán bộ,Lượt khách\nA1,06652,3,120\nA2,06652,2,80\nB1,06658,5,40\nC1,07030,1,1000\n"

VISITS_SPEC = """\
primary_key: [visit_code]
columns:
  - {name: visit_code, header: "Mã lượt", type: text, required: true, role: attribute,
     label: {vi: "Mã lượt", en: "Visit code"}, description: {vi: "Mã lượt", en: "Visit code"}}
  - {name: commune_code, header: "Mã xã", type: code, width: 5, required: true, role: attribute,
     label: {vi: "Mã xã", en: "Commune code"}, description: {vi: "Mã xã", en: "Commune code"}}
  - {name: procedure_code, header: "Mã thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Mã thủ tục", en: "Procedure code"}, description: {vi: "Mã thủ tục", en: "Procedure code"}}
facets: [commune_code]
"""
VISITS = "\ufeffMã lượt,Mã xã,Mã thủ tục\nV1,06652,1.001\nV2,07192,2.002\nV3,07192,Không công bố\n"


def code_list_data(root: Path) -> Path:
    """Write the data/ directory under `root` and return it."""
    data = root / "data"
    manifest = (
        MANIFEST_HEAD
        + manifest_entry("communes", "communes")
        + manifest_entry("procedures", "procedures")
        + manifest_entry("stations", "stations")
        + manifest_entry("visits", "visits", access="restricted")
    )
    write(data / "manifest.yml", manifest)
    write(data / "specs" / "communes.yml", (REPO / "data" / "specs" / "communes.yml").read_text(encoding="utf-8"))
    for name, spec, rows in (
        ("communes", None, COMMUNES),
        ("procedures", PROCEDURES_SPEC, PROCEDURES),
        ("stations", STATIONS_SPEC, STATIONS),
        ("visits", VISITS_SPEC, VISITS),
    ):
        if spec:
            write(data / "specs" / f"{name}.yml", spec)
        (data / "raw").mkdir(parents=True, exist_ok=True)
        (data / "raw" / f"{name}.csv").write_text(rows, encoding="utf-8")
    return data
