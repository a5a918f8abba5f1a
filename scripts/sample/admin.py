"""The province's current communes, wards and special zones, and how people are spread over them."""

from dataclasses import dataclass

import numpy as np
from vietnamadminunits.database import query

from scripts.sample.province import PROVINCE_CODE

# Rough resident counts in thousands, by the unit's short name. Guessed from the former towns and
# districts each unit replaced; only the proportions matter. Units not listed get DEFAULT_THOUSANDS.
POPULATION_THOUSANDS = {
    "Hồng Gai": 35,
    "Hạ Long": 40,
    "Bãi Cháy": 42,
    "Cao Xanh": 40,
    "Hà Lầm": 30,
    "Hà Tu": 35,
    "Việt Hưng": 25,
    "Tuần Châu": 20,
    "Hoành Bồ": 30,
    "Thống Nhất": 12,
    "Quảng La": 10,
    "Cẩm Phả": 50,
    "Quang Hanh": 45,
    "Cửa Ông": 45,
    "Mông Dương": 30,
    "Hải Hòa": 12,
    "Uông Bí": 50,
    "Vàng Danh": 35,
    "Yên Tử": 40,
    "Móng Cái 1": 40,
    "Móng Cái 2": 30,
    "Móng Cái 3": 20,
    "Hải Sơn": 8,
    "Hải Ninh": 10,
    "Vĩnh Thực": 5,
    "Mạo Khê": 50,
    "Bình Khê": 25,
    "An Sinh": 25,
    "Đông Triều": 45,
    "Hoàng Quế": 35,
    "Quảng Yên": 30,
    "Đông Mai": 25,
    "Hiệp Hòa": 25,
    "Hà An": 30,
    "Liên Hòa": 25,
    "Phong Cốc": 25,
    "Bình Liêu": 12,
    "Hoành Mô": 10,
    "Lục Hồn": 11,
    "Tiên Yên": 25,
    "Điền Xá": 12,
    "Đông Ngũ": 12,
    "Hải Lạng": 10,
    "Đầm Hà": 22,
    "Quảng Tân": 18,
    "Quảng Hà": 30,
    "Quảng Đức": 10,
    "Đường Hoa": 15,
    "Cái Chiên": 3,
    "Ba Chẽ": 14,
    "Kỳ Thượng": 4,
    "Lương Minh": 6,
    "Vân Đồn": 50,
    "Cô Tô": 7,
}
DEFAULT_THOUSANDS = 15

ETHNICITIES = ["Kinh", "Tày", "Dao", "Sán Dìu", "Sán Chay", "Hoa", "Nùng", "Mường", "Thái"]

# Shares of ETHNICITIES. Upland units (former Bình Liêu, Ba Chẽ, Tiên Yên, Đầm Hà, Hải Hà districts) are
# mostly Tày, Dao and Sán Chay; the Đông Triều-Hoành Bồ belt has Sán Dìu villages; elsewhere mostly Kinh.
_MIX = {
    "urban": [0.962, 0.010, 0.008, 0.006, 0.002, 0.006, 0.002, 0.002, 0.002],
    "binh_lieu": [0.080, 0.470, 0.290, 0.000, 0.140, 0.010, 0.010, 0.000, 0.000],
    "ba_che": [0.250, 0.150, 0.440, 0.020, 0.120, 0.010, 0.010, 0.000, 0.000],
    "tien_yen": [0.500, 0.150, 0.200, 0.050, 0.080, 0.020, 0.000, 0.000, 0.000],
    "dam_ha": [0.680, 0.060, 0.160, 0.000, 0.070, 0.030, 0.000, 0.000, 0.000],
    "hai_ha": [0.550, 0.070, 0.250, 0.000, 0.100, 0.030, 0.000, 0.000, 0.000],
    "hai_son": [0.300, 0.050, 0.600, 0.000, 0.050, 0.000, 0.000, 0.000, 0.000],
    "san_diu": [0.850, 0.030, 0.050, 0.070, 0.000, 0.000, 0.000, 0.000, 0.000],
}
_MIX_OF = {
    **dict.fromkeys(["Bình Liêu", "Hoành Mô", "Lục Hồn"], "binh_lieu"),
    **dict.fromkeys(["Ba Chẽ", "Kỳ Thượng", "Lương Minh"], "ba_che"),
    **dict.fromkeys(["Tiên Yên", "Điền Xá", "Đông Ngũ", "Hải Lạng"], "tien_yen"),
    **dict.fromkeys(["Đầm Hà", "Quảng Tân", "Cái Chiên"], "dam_ha"),
    **dict.fromkeys(["Quảng Hà", "Quảng Đức", "Đường Hoa"], "hai_ha"),
    **dict.fromkeys(["Hải Sơn"], "hai_son"),
    **dict.fromkeys(["Bình Khê", "An Sinh", "Thống Nhất", "Quảng La", "Hoàng Quế"], "san_diu"),
}


@dataclass(frozen=True)
class Communes:
    """The units of the province in code order, as parallel arrays."""

    code: np.ndarray  # "06652": five-digit commune code
    name: np.ndarray  # "Phường Hà Tu"
    short: np.ndarray  # "Hà Tu"
    kind: np.ndarray  # Xã / Phường / Đặc khu
    province: str
    lat: np.ndarray
    lon: np.ndarray
    area: np.ndarray
    weight: np.ndarray  # share of the province's residents
    ethnic_mix: np.ndarray  # (units, len(ETHNICITIES)) shares

    def __len__(self) -> int:
        return len(self.code)


def load() -> Communes:
    """Read the province's units from vietnamadminunits, ordered by code."""
    rows = query(
        "SELECT province, ward, wardShort, wardType, wardCode, wardLat, wardLon, wardAreaKm2 "
        f"FROM admin_units WHERE provinceCode = '{PROVINCE_CODE}' ORDER BY wardCode"
    )
    if not rows:
        raise ValueError(f"vietnamadminunits has no units for province code {PROVINCE_CODE}")
    short = np.array([r["wardShort"] for r in rows], dtype=object)
    thousands = np.array([POPULATION_THOUSANDS.get(s, DEFAULT_THOUSANDS) for s in short], dtype=float)
    mix = np.array([_MIX[_MIX_OF.get(s, "urban")] for s in short], dtype=float)
    return Communes(
        code=np.array([r["wardCode"] for r in rows], dtype=object),
        name=np.array([r["ward"] for r in rows], dtype=object),
        short=short,
        kind=np.array([r["wardType"] for r in rows], dtype=object),
        province=rows[0]["province"],
        lat=np.array([r["wardLat"] for r in rows], dtype=float),
        lon=np.array([r["wardLon"] for r in rows], dtype=float),
        area=np.array([r["wardAreaKm2"] for r in rows], dtype=float),
        weight=thousands / thousands.sum(),
        ethnic_mix=mix / mix.sum(axis=1, keepdims=True),
    )


def allocate(total: int, weights: np.ndarray, floor: int) -> np.ndarray:
    """Split `total` people over units by weight (largest remainder), giving each at least `floor`."""
    floor = min(floor, total // len(weights))
    rest = total - floor * len(weights)
    exact = weights * rest
    counts = np.floor(exact).astype(np.int64)
    short = rest - counts.sum()
    # Stable sort so that ties are broken by unit order, never by chance.
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts + floor
