"""Free-text permanent addresses as people write them: house, group, quarter or village, then the unit."""

from dataclasses import dataclass

import numpy as np

from scripts.sample.admin import Communes
from scripts.sample.province import PROVINCE_SHORT
from scripts.sample.text import plain

STREETS = [
    "Lê Thánh Tông",
    "Trần Hưng Đạo",
    "Nguyễn Văn Cừ",
    "Hạ Long",
    "Cao Thắng",
    "Bạch Đằng",
    "Lê Lợi",
    "Trần Phú",
    "Hùng Vương",
    "Nguyễn Du",
    "Quang Trung",
    "Tuệ Tĩnh",
    "Kênh Liêm",
    "Giếng Đồn",
    "Trần Quốc Nghiễn",
    "Anh Đào",
    "Hoàng Quốc Việt",
    "Nguyễn Văn Linh",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Vân Đồn",
    "Trần Nhân Tông",
    "Hoàng Hoa Thám",
    "Tô Hiến Thành",
    "Lê Hồng Phong",
]
VILLAGES = [
    "Đồng Tâm",
    "Tân Lập",
    "Đoàn Kết",
    "Bắc Sơn",
    "Nam Sơn",
    "Đông Sơn",
    "Tân Tiến",
    "Thống Nhất",
    "Hòa Bình",
    "Khe Lánh",
    "Khe Tâm",
    "Làng Cổng",
    "Nà Phạ",
    "Khe Mọi",
    "Đồng Và",
    "Pắc Cáy",
    "Lục Ngù",
    "Nà Khau",
    "Sông Moóc",
    "Khe Vằn",
    "Phai Làu",
    "Nà Ếch",
    "Cổ Ngựa",
    "Đồng Châu",
    "Đồng Doong",
    "Bình Hải",
    "Quảng Hợp",
    "Xuân Bình",
    "Tân Ốc",
    "Khe Cát",
]

# Templates: 0 "Số 12, tổ 3, khu 5, <unit>"; 1 "Tổ 3, khu 5, <unit>"; 2 "Số 12 đường Trần Phú, <unit>";
# 3 "Thôn Đồng Tâm, <unit>"; 4 "Thôn 3, <unit>". Wards use 0-2, communes and special zones 3-4.
WARD_TEMPLATES = [0.55, 0.3, 0.15]
RURAL_TEMPLATES = [0.6, 0.4]
PROVINCE_SUFFIX = 0.2  # share of addresses that end with ", tỉnh Quảng Ninh"


@dataclass
class Addresses:
    """The random parts of every address, drawn once so that rendering in chunks stays deterministic."""

    template: np.ndarray
    house: np.ndarray
    group: np.ndarray
    quarter: np.ndarray
    street: np.ndarray
    village: np.ndarray
    suffix: np.ndarray


def draw(rng: np.random.Generator, communes: Communes, commune: np.ndarray) -> Addresses:
    """Choose a template and its numbers for each person."""
    n = len(commune)
    ward = communes.kind[commune] == "Phường"
    template = np.where(
        ward,
        rng.choice(3, size=n, p=WARD_TEMPLATES),
        3 + rng.choice(2, size=n, p=RURAL_TEMPLATES),
    ).astype(np.int8)
    # Villages are tied to the unit so that one unit reuses a handful of village names.
    village = (commune.astype(np.int64) * 7 + rng.integers(0, 6, size=n)) % len(VILLAGES)
    return Addresses(
        template=template,
        house=rng.integers(1, 250, size=n),
        group=rng.integers(1, 40, size=n),
        quarter=rng.integers(1, 12, size=n),
        street=rng.integers(0, len(STREETS), size=n),
        village=village,
        suffix=rng.random(n) < PROVINCE_SUFFIX,
    )


def render(parts: Addresses, rows: slice, communes: Communes, commune: np.ndarray) -> np.ndarray:
    """Render the addresses of `rows`."""
    t = parts.template[rows]
    house, group, quarter = plain(parts.house[rows]), plain(parts.group[rows]), plain(parts.quarter[rows])
    street = np.asarray(STREETS, dtype=object)[parts.street[rows]]
    village = np.asarray(VILLAGES, dtype=object)[parts.village[rows]]
    unit = communes.name[commune[rows]]
    head = np.select(
        [t == 0, t == 1, t == 2, t == 3],
        [
            "Số " + house + ", tổ " + group + ", khu " + quarter,
            "Tổ " + group + ", khu " + quarter,
            "Số " + house + " đường " + street,
            "Thôn " + village,
        ],
        default="Thôn " + quarter,
    )
    tail = np.where(parts.suffix[rows], ", tỉnh " + PROVINCE_SHORT, "")
    return head + ", " + unit + tail
