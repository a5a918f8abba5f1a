"""Mobile subscriptions of residents, as the carriers' registers hold them after standardisation."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.sample import dates, messy, phones
from scripts.sample.admin import Communes
from scripts.sample.csvfile import chunked, write_csv
from scripts.sample.people import Population
from scripts.sample.province import EVENT_START, REPORT_DATE
from scripts.sample.text import zero_pad

HEADER = [
    "Số thuê bao",
    "Nhà mạng",
    "Số định danh cá nhân chủ thuê bao",
    "Họ và tên chủ thuê bao",
    "Mã xã",
    "Trạng thái chuẩn hóa",
    "Ngày chuẩn hóa",
]
STANDARDISED = "Đã chuẩn hóa"  # every subscription in the register was standardised by mid-2024

MIN_OWNER_AGE = 14  # a SIM is registered to the holder of a citizen ID
# P(0, 1, 2, 3 SIMs) by owner age: working-age adults often keep a second SIM for work or data.
SIM_COUNTS = [
    (14, 18, [0.30, 0.65, 0.05, 0.00]),
    (18, 60, [0.04, 0.64, 0.25, 0.07]),
    (60, 75, [0.15, 0.75, 0.10, 0.00]),
    (75, 200, [0.50, 0.50, 0.00, 0.00]),
]
LOST_ZERO = 0.015
LOOSE_DATE = 0.03
SPACES = 0.005


@dataclass
class Subscribers:
    """One row per SIM: owner (population row), 9-digit number, carrier and standardisation date."""

    owner: np.ndarray
    number: np.ndarray
    carrier: np.ndarray
    standardised: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)


def generate(rng: np.random.Generator, pop: Population) -> tuple[Subscribers, np.ndarray]:
    """Give residents their SIMs (sorted as a carrier dump is) and each resident's main number, -1 for none."""
    living_age = pop.age[: pop.residents]
    count = np.zeros(pop.residents, dtype=np.int64)
    for low, high, p in SIM_COUNTS:
        rows = np.flatnonzero((living_age >= low) & (living_age < high))
        count[rows] = rng.choice(4, size=len(rows), p=p)
    owner = np.repeat(np.arange(pop.residents), count)
    number, carrier = phones.draw(rng, len(owner))
    # The standardisation drive peaked in 2023 and tailed off: skew dates towards the start.
    span = int((REPORT_DATE - EVENT_START).astype(int))
    when = EVENT_START + np.floor(span * rng.random(len(owner)) ** 1.6).astype("timedelta64[D]")
    main = np.full(pop.residents, -1, dtype=np.int64)
    owners, first = np.unique(owner, return_index=True)
    main[owners] = number[first]
    order = np.lexsort((number, carrier))
    return Subscribers(owner[order], number[order], carrier[order], when[order]), main


def write(path: Path, rng: np.random.Generator, subs: Subscribers, pop: Population, communes: Communes) -> int:
    """Write mobile_subscribers.csv."""

    def chunks():
        for rows in chunked(len(subs)):
            n = rows.stop - rows.start
            owner = subs.owner[rows]
            yield [
                messy.lost_zeros(phones.national(subs.number[rows]), messy.pick(rng, n, LOST_ZERO)),
                np.asarray(phones.CARRIER_NAMES, dtype=object)[subs.carrier[rows]],
                messy.lost_zeros(zero_pad(pop.pid[owner], 12), messy.pick(rng, n, LOST_ZERO)),
                messy.spaces(pop.full_names(owner), messy.pick(rng, n, SPACES)),
                messy.lost_zeros(communes.code[pop.commune[owner]], messy.pick(rng, n, LOST_ZERO)),
                np.full(n, STANDARDISED, dtype=object),
                dates.render(subs.standardised[rows], messy.pick(rng, n, LOOSE_DATE)),
            ]

    return write_csv(path, HEADER, chunks())
