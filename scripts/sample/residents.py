"""The residents extract of the population register, with the free-text notes clerks add."""

from pathlib import Path

import numpy as np

from scripts.sample import dates, identifiers, messy, phones, street_addresses
from scripts.sample.admin import ETHNICITIES, Communes
from scripts.sample.csvfile import chunked, write_csv
from scripts.sample.people import Population
from scripts.sample.province import BIRTH_PROVINCE_CODE
from scripts.sample.text import zero_pad

HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Mã xã",
    "Tên xã/phường/đặc khu",
    "Địa chỉ thường trú",
    "Số điện thoại",
    "Ghi chú",
]
SEX = np.array(["Nữ", "Nam"], dtype=object)

PHONE_MISSING = 0.08  # owners of a SIM whose number was never written into the register
PHONE_STYLES = [0.55, 0.15, 0.10, 0.10, 0.04, 0.06]  # shares of phones.STYLES
NOTE_RATE = 0.03
LOST_ZERO = 0.01
LOOSE_DATE = 0.04
SPACES = 0.01

# Note kinds and weights among the rows that carry a note.
NOTE_KINDS = [
    "Tạm vắng",
    "Đang lao động ở nước ngoài",
    "moved",
    "relative_phone",
    "old_id",
    "duplicate_id",
    "chip_card",
    "Hộ nghèo",
    "Hộ cận nghèo",
    "Người cao tuổi sống một mình",
]
NOTE_WEIGHTS = [15, 8, 15, 12, 15, 5, 15, 5, 4, 6]


def notes(rng: np.random.Generator, pop: Population, main_number: np.ndarray) -> np.ndarray:
    """Mostly empty notes; a few repeat personal data (a relative's phone, an old ID) as clerks do."""
    n = pop.residents
    kind = np.where(
        rng.random(n) < NOTE_RATE, rng.choice(len(NOTE_KINDS), size=n, p=np.array(NOTE_WEIGHTS) / sum(NOTE_WEIGHTS)), -1
    )
    age = pop.age[:n]
    province = identifiers.parse(pop.pid[:n])[0]
    k = {name: i for i, name in enumerate(NOTE_KINDS)}
    # Notes must fit the person: only migrants moved in, old 9-digit ID cards only for adults, etc.
    kind[(kind == k["moved"]) & (province == BIRTH_PROVINCE_CODE)] = k["Tạm vắng"]
    kind[(kind == k["old_id"]) & (age < 25)] = k["chip_card"]
    kind[np.isin(kind, [k["chip_card"], k["Tạm vắng"], k["Đang lao động ở nước ngoài"]]) & (age < 14)] = -1
    kind[(kind == k["Người cao tuổi sống một mình"]) & (age < 70)] = k["Hộ cận nghèo"]

    out = np.full(n, "", dtype=object)
    for name in ("Tạm vắng", "Đang lao động ở nước ngoài", "Hộ nghèo", "Hộ cận nghèo", "Người cao tuổi sống một mình"):
        out[kind == k[name]] = name
    rows = np.flatnonzero(kind == k["moved"])
    out[rows] = "Chuyển đến từ " + identifiers.place_names(province[rows])
    with_phone = np.flatnonzero(main_number >= 0)
    rows = np.flatnonzero(kind == k["relative_phone"])
    relative = main_number[rng.choice(with_phone, size=len(rows))]
    out[rows] = "Liên hệ qua người thân: " + phones.render(relative, rng.choice(4, size=len(rows)))
    rows = np.flatnonzero(kind == k["old_id"])
    out[rows] = "Số CMND cũ: " + zero_pad(100_000_000 + rng.integers(0, 2 * 10**7, size=len(rows)), 9)
    rows = np.flatnonzero(kind == k["duplicate_id"])
    out[rows] = (
        "Trùng thông tin với số định danh "
        + zero_pad(pop.pid[rng.integers(0, n, size=len(rows))], 12)
        + ", đã xác minh"
    )
    rows = np.flatnonzero(kind == k["chip_card"])
    issued = dates.uniform_days(rng, len(rows), np.datetime64("2021-03-01"), np.datetime64("2024-06-30"))
    out[rows] = "Đã cấp thẻ CCCD gắn chip ngày " + dates.render(issued, rng.random(len(rows)) < 0.5)
    return out


def write(path: Path, rng: np.random.Generator, pop: Population, communes: Communes, main_number: np.ndarray) -> int:
    """Write residents.csv (living residents only, grouped by unit)."""
    note = notes(rng, pop, main_number)
    address = street_addresses.draw(rng, communes, pop.commune[: pop.residents])
    style = rng.choice(len(phones.STYLES), size=pop.residents, p=PHONE_STYLES)
    has_phone = (main_number >= 0) & (rng.random(pop.residents) >= PHONE_MISSING)

    def chunks():
        for rows in chunked(pop.residents):
            n = rows.stop - rows.start
            phone = np.full(n, "", dtype=object)
            shown = has_phone[rows]
            phone[shown] = phones.render(main_number[rows][shown], style[rows][shown])
            unit = pop.commune[rows]
            yield [
                messy.lost_zeros(zero_pad(pop.pid[rows], 12), messy.pick(rng, n, LOST_ZERO)),
                messy.spaces(pop.full_names(rows), messy.pick(rng, n, SPACES)),
                dates.render(pop.birth[rows], messy.pick(rng, n, LOOSE_DATE)),
                SEX[pop.male[rows].astype(np.int64)],
                messy.spaces(np.asarray(ETHNICITIES, dtype=object)[pop.ethnicity[rows]], messy.pick(rng, n, SPACES)),
                messy.lost_zeros(communes.code[unit], messy.pick(rng, n, LOST_ZERO)),
                communes.name[unit],
                street_addresses.render(address, rows, communes, pop.commune),
                phone,
                note[rows],
            ]

    return write_csv(path, HEADER, chunks())
