"""Personal identification numbers (12-digit citizen IDs) built the way the national scheme builds them."""

import numpy as np

from scripts.sample.province import BIRTH_PROVINCE_CODE

# The 63 pre-2025 province codes that open a citizen ID (where the birth was registered).
LEGACY_PROVINCE_CODES = np.array(
    [
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    ]
)

# Where people registered elsewhere were born: mostly the neighbouring Red River delta and north-east
# provinces that have sent workers to the mines and ports for decades; every code keeps a small share.
_MIGRANT_ORIGIN = {
    1: 8,
    20: 5,
    24: 8,
    30: 14,
    31: 12,
    33: 5,
    34: 14,
    35: 3,
    36: 9,
    37: 3,
    38: 5,
    40: 3,
    19: 2,
    27: 2,
    26: 1,
    25: 1,
}
MIGRANT_WEIGHTS = np.array([_MIGRANT_ORIGIN.get(int(c), 0.15) for c in LEGACY_PROVINCE_CODES])
MIGRANT_WEIGHTS[LEGACY_PROVINCE_CODES == BIRTH_PROVINCE_CODE] = 0
MIGRANT_WEIGHTS /= MIGRANT_WEIGHTS.sum()

ID_SPACE = 10**6  # six random trailing digits


def century_sex_digit(birth_year: np.ndarray, male: np.ndarray) -> np.ndarray:
    """0/1 for men/women born in the 1900s, 2/3 in the 2000s (4/5 would be the 2100s)."""
    century = (np.asarray(birth_year) // 100 - 19).astype(np.int64)
    return 2 * century + np.where(male, 0, 1)


def birth_provinces(rng: np.random.Generator, local_share: np.ndarray) -> np.ndarray:
    """Draw each person's birth-registration province code; `local_share` is P(registered here)."""
    local = rng.random(len(local_share)) < local_share
    elsewhere = rng.choice(LEGACY_PROVINCE_CODES, size=len(local_share), p=MIGRANT_WEIGHTS)
    return np.where(local, BIRTH_PROVINCE_CODE, elsewhere).astype(np.int64)


def assemble(province: np.ndarray, birth_year: np.ndarray, male: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Put the parts together as one integer: PPP S YY NNNNNN."""
    prefix = province * 1000 + century_sex_digit(birth_year, male) * 100 + np.asarray(birth_year) % 100
    return prefix.astype(np.int64) * ID_SPACE + serial


def unique_ids(rng: np.random.Generator, province, birth_year, male) -> np.ndarray:
    """Draw serials until every ID is distinct; redraws touch only the later duplicates."""
    serial = rng.integers(0, ID_SPACE, size=len(male))
    ids = assemble(province, birth_year, male, serial)
    while True:
        _, first = np.unique(ids, return_index=True)
        dup = np.ones(len(ids), dtype=bool)
        dup[first] = False
        if not dup.any():
            return ids
        serial[dup] = rng.integers(0, ID_SPACE, size=int(dup.sum()))
        ids[dup] = assemble(province[dup], birth_year[dup], male[dup], serial[dup])


def parse(ids: np.ndarray):
    """Split IDs into (province, century+sex digit, two-digit year, serial); used by checks and tests."""
    ids = np.asarray(ids, dtype=np.int64)
    return ids // 10**9, ids // 10**8 % 10, ids // 10**6 % 100, ids % 10**6


LEGACY_PROVINCE_NAMES = dict(
    zip(
        LEGACY_PROVINCE_CODES.tolist(),
        [
            "Hà Nội",
            "Hà Giang",
            "Cao Bằng",
            "Bắc Kạn",
            "Tuyên Quang",
            "Lào Cai",
            "Điện Biên",
            "Lai Châu",
            "Sơn La",
            "Yên Bái",
            "Hòa Bình",
            "Thái Nguyên",
            "Lạng Sơn",
            "Quảng Ninh",
            "Bắc Giang",
            "Phú Thọ",
            "Vĩnh Phúc",
            "Bắc Ninh",
            "Hải Dương",
            "Hải Phòng",
            "Hưng Yên",
            "Thái Bình",
            "Hà Nam",
            "Nam Định",
            "Ninh Bình",
            "Thanh Hóa",
            "Nghệ An",
            "Hà Tĩnh",
            "Quảng Bình",
            "Quảng Trị",
            "Thừa Thiên Huế",
            "Đà Nẵng",
            "Quảng Nam",
            "Quảng Ngãi",
            "Bình Định",
            "Phú Yên",
            "Khánh Hòa",
            "Ninh Thuận",
            "Bình Thuận",
            "Kon Tum",
            "Gia Lai",
            "Đắk Lắk",
            "Đắk Nông",
            "Lâm Đồng",
            "Bình Phước",
            "Tây Ninh",
            "Bình Dương",
            "Đồng Nai",
            "Bà Rịa - Vũng Tàu",
            "Hồ Chí Minh",
            "Long An",
            "Tiền Giang",
            "Bến Tre",
            "Trà Vinh",
            "Vĩnh Long",
            "Đồng Tháp",
            "An Giang",
            "Kiên Giang",
            "Cần Thơ",
            "Hậu Giang",
            "Sóc Trăng",
            "Bạc Liêu",
            "Cà Mau",
        ],
        strict=True,
    )
)
_CITIES = {1, 31, 48, 79, 92}  # centrally governed cities: "thành phố", not "tỉnh"
_PLACE = np.full(100, "", dtype=object)
for _code, _name in LEGACY_PROVINCE_NAMES.items():
    _PLACE[_code] = ("thành phố " if _code in _CITIES else "tỉnh ") + _name


def place_names(codes: np.ndarray) -> np.ndarray:
    """ "tỉnh Hải Dương" / "thành phố Hải Phòng" for legacy province codes."""
    return _PLACE[np.asarray(codes, dtype=np.int64)]
