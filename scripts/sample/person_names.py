"""Vietnamese full names (surname, middle name, given name), drawn by ethnicity, sex and generation."""

import numpy as np

from scripts.sample.admin import ETHNICITIES

# Surnames common among the Kinh, then the clan names of the province's minorities. One list, so that a
# person's surname is a single small integer until it is rendered.
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Phan",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Đinh",
    "Lương",
    "Trịnh",
    "Đào",
    "Mai",
    "Lý",
    "Hà",
    "Tạ",
    "Cao",
    "Lưu",
    "Đoàn",
    "Phùng",
    "Nông",
    "Vi",
    "Triệu",
    "Bàn",
    "Chíu",
    "Lỷ",
    "Diệp",
    "Tằng",
    "Trương",
    "Lâm",
    "Châu",
    "Tô",
    "La",
    "Nịnh",
    "Quách",
    "Lò",
    "Cầm",
    "Lường",
    "Hồ",
    "Võ",
    "Chu",
    "Lục",
    "Thân",
    "Nghiêm",
]

# Relative shares by ethnicity (Nguyễn is about a third of Kinh names in the north).
_SURNAME_SHARES = {
    "Kinh": {
        "Nguyễn": 34,
        "Trần": 10,
        "Lê": 8,
        "Phạm": 8,
        "Hoàng": 4,
        "Vũ": 6,
        "Phan": 2,
        "Đặng": 3,
        "Bùi": 4,
        "Đỗ": 3,
        "Ngô": 2,
        "Dương": 1.5,
        "Đinh": 1.5,
        "Lương": 1,
        "Trịnh": 1,
        "Đào": 1.5,
        "Mai": 1,
        "Lý": 0.5,
        "Hà": 0.8,
        "Tạ": 0.6,
        "Cao": 0.8,
        "Lưu": 0.6,
        "Đoàn": 1,
        "Phùng": 0.6,
        "Hồ": 0.5,
        "Võ": 0.4,
        "Chu": 0.4,
        "Tô": 0.4,
        "Lâm": 0.4,
        "Thân": 0.2,
        "Nghiêm": 0.2,
        "Trương": 0.5,
    },
    "Tày": {
        "Hoàng": 22,
        "Nông": 14,
        "Lương": 10,
        "Vi": 10,
        "Lý": 6,
        "Nguyễn": 8,
        "Hà": 6,
        "Lục": 6,
        "Triệu": 4,
        "Chu": 3,
        "Nịnh": 3,
    },
    "Dao": {"Triệu": 25, "Bàn": 20, "Đặng": 14, "Lý": 12, "Chíu": 8, "Phùng": 7, "Dương": 5, "Trương": 5, "La": 4},
    "Sán Dìu": {"Lý": 20, "Trương": 15, "Diệp": 12, "Lưu": 10, "Tằng": 8, "Dương": 8, "Hà": 7, "Nguyễn": 8, "La": 6},
    "Sán Chay": {"Hoàng": 18, "Lỷ": 14, "Vi": 12, "Tằng": 10, "Dương": 8, "Trần": 8, "La": 10, "Nịnh": 10, "Chíu": 5},
    "Hoa": {"Lý": 18, "Trương": 15, "Lưu": 12, "Hoàng": 10, "Tằng": 6, "Châu": 10, "Lâm": 12, "Trần": 10, "Diệp": 5},
    "Nùng": {"Hoàng": 25, "Nông": 20, "Lương": 15, "Vi": 15, "Lục": 10, "Chu": 10},
    "Mường": {"Bùi": 40, "Đinh": 25, "Quách": 15, "Hà": 20},
    "Thái": {"Lò": 30, "Lường": 25, "Cầm": 20, "Vi": 15, "Hà": 10},
}

# Middle names with weights for the older and the younger generation: Văn and Thị dominate among people
# born before GENERATION_YEAR and fade after.
MIDDLE_MALE = {
    "Văn": (50, 14),
    "Đức": (6, 8),
    "Minh": (4, 10),
    "Quang": (4, 6),
    "Hữu": (4, 3),
    "Thanh": (3, 4),
    "Xuân": (3, 2),
    "Tiến": (2, 4),
    "Công": (3, 3),
    "Ngọc": (3, 4),
    "Trung": (2, 4),
    "Anh": (1, 5),
    "Quốc": (2, 5),
    "Duy": (1, 6),
    "Hoàng": (2, 4),
    "Thế": (3, 2),
    "Mạnh": (2, 4),
    "Gia": (0.2, 6),
    "Bảo": (0.2, 5),
    "Đình": (4, 2),
    "Đăng": (0.5, 3),
    "Tuấn": (0.5, 3),
}
MIDDLE_FEMALE = {
    "Thị": (62, 16),
    "Thu": (5, 5),
    "Thanh": (4, 5),
    "Ngọc": (3, 7),
    "Minh": (1, 6),
    "Hồng": (3, 3),
    "Phương": (2, 5),
    "Thùy": (2, 4),
    "Bảo": (0.2, 6),
    "Khánh": (0.3, 5),
    "Mai": (1, 3),
    "Kim": (2, 3),
    "Hải": (1, 3),
    "Diệu": (0.5, 3),
    "Quỳnh": (0.5, 4),
    "Thị Thu": (5, 2),
    "Thị Ngọc": (3, 2),
    "Thị Thanh": (3, 2),
    "Thị Hồng": (3, 1),
    "Ngọc Bảo": (0.1, 3),
    "Hà": (0.5, 3),
    "Tuệ": (0.1, 3),
    "Gia": (0.1, 4),
    "Khánh Ngọc": (0.1, 2),
}

# Given names, roughly most common first.
GIVEN_MALE = [
    "Anh",
    "Minh",
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Hải",
    "Long",
    "Sơn",
    "Thắng",
    "Cường",
    "Hoàng",
    "Huy",
    "Đức",
    "Trung",
    "Quang",
    "Thành",
    "Bình",
    "Tùng",
    "Hưng",
    "Hiếu",
    "Việt",
    "Phong",
    "Mạnh",
    "Quân",
    "Toàn",
    "Khánh",
    "Tài",
    "Nghĩa",
    "Vinh",
    "Đạt",
    "Kiên",
    "Giang",
    "Dương",
    "Thịnh",
    "Vũ",
    "Lâm",
    "Phúc",
    "Khoa",
    "Bảo",
    "Tiến",
    "Trí",
    "Hiệp",
    "Hậu",
    "Lộc",
    "Tân",
    "Thái",
    "Phú",
    "Chiến",
    "Hòa",
    "Quý",
    "Thuận",
    "Lợi",
    "Nhật",
    "Đăng",
    "Khôi",
    "Kiệt",
]
GIVEN_FEMALE = [
    "Anh",
    "Linh",
    "Hương",
    "Trang",
    "Hà",
    "Lan",
    "Thảo",
    "Hằng",
    "Ngọc",
    "Mai",
    "Phương",
    "Huyền",
    "Thủy",
    "Nga",
    "Hoa",
    "Hồng",
    "Thu",
    "Yến",
    "Hạnh",
    "Hiền",
    "Giang",
    "Dung",
    "Quỳnh",
    "Vân",
    "Nhung",
    "Loan",
    "Chi",
    "Liên",
    "Tâm",
    "Trinh",
    "Oanh",
    "Tuyết",
    "Duyên",
    "Thúy",
    "Xuân",
    "Ánh",
    "Ngân",
    "My",
    "Vy",
    "Nhi",
    "Thư",
    "Hân",
    "An",
    "Ly",
    "Khuê",
    "Diệp",
    "Thơ",
    "Hậu",
    "Huệ",
    "Nhàn",
    "Hiên",
    "Mến",
    "Lụa",
]
# Names mostly given before GENERATION_YEAR, and names mostly given after it.
_OLD_FASHIONED = {"Lụa", "Mến", "Huệ", "Nhàn", "Loan", "Tuyết", "Hằng", "Oanh", "Dung", "Thơ", "Hiên"}
_NEW_FASHIONED = {
    "Vy",
    "Nhi",
    "Hân",
    "An",
    "Khuê",
    "Thư",
    "My",
    "Ngân",
    "Ly",
    "Khôi",
    "Kiệt",
    "Đăng",
    "Nhật",
    "Bảo",
    "Khoa",
    "Phúc",
    "Lâm",
}

GENERATION_YEAR = 1985


def surname_weights(group: str) -> np.ndarray:
    """Shares over SURNAMES for one ethnicity."""
    w = np.zeros(len(SURNAMES))
    for name, share in _SURNAME_SHARES[group].items():
        w[SURNAMES.index(name)] = share
    return w / w.sum()


def _given_weights(names: list[str], old: bool) -> np.ndarray:
    w = 1.0 / np.arange(1, len(names) + 1) ** 0.5
    out_of_fashion = _NEW_FASHIONED if old else _OLD_FASHIONED
    w *= np.where(np.isin(names, list(out_of_fashion)), 0.1, 1.0)
    return w / w.sum()


def _middle_weights(table: dict, old: bool) -> np.ndarray:
    w = np.array([pair[0 if old else 1] for pair in table.values()], dtype=float)
    return w / w.sum()


def draw(rng: np.random.Generator, ethnicity: np.ndarray, male: np.ndarray, birth_year: np.ndarray):
    """Return (surname, middle, given) index arrays; middle and given index the lists of the person's sex."""
    n = len(male)
    surname = np.zeros(n, dtype=np.int16)
    for code, group in enumerate(ETHNICITIES):
        rows = np.flatnonzero(ethnicity == code)
        surname[rows] = rng.choice(len(SURNAMES), size=len(rows), p=surname_weights(group))
    middle = np.zeros(n, dtype=np.int16)
    given = np.zeros(n, dtype=np.int16)
    old = birth_year < GENERATION_YEAR
    for is_male, middles, givens in ((True, MIDDLE_MALE, GIVEN_MALE), (False, MIDDLE_FEMALE, GIVEN_FEMALE)):
        for is_old in (True, False):
            rows = np.flatnonzero((male == is_male) & (old == is_old))
            middle[rows] = rng.choice(len(middles), size=len(rows), p=_middle_weights(middles, is_old))
            given[rows] = rng.choice(len(givens), size=len(rows), p=_given_weights(givens, is_old))
            # "Nguyễn Quang Quang" does not happen: move a given name that repeats the middle name.
            last_word = np.array([m.split()[-1] for m in middles], dtype=object)
            clash = last_word[middle[rows]] == np.asarray(givens, dtype=object)[given[rows]]
            given[rows[clash]] = (given[rows[clash]] + 1) % len(givens)
    return surname, middle, given


def render(surname: np.ndarray, middle: np.ndarray, given: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Join the three parts into full names such as "Nguyễn Thị Thu Hà"."""
    out = np.empty(len(male), dtype=object)
    for is_male, middles, givens in ((True, MIDDLE_MALE, GIVEN_MALE), (False, MIDDLE_FEMALE, GIVEN_FEMALE)):
        rows = male == is_male
        out[rows] = (
            np.asarray(SURNAMES, dtype=object)[surname[rows]]
            + " "
            + np.asarray(list(middles), dtype=object)[middle[rows]]
            + " "
            + np.asarray(givens, dtype=object)[given[rows]]
        )
    return out
