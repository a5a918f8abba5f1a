"""Civil-status registrations of the period: births, marriages (one row per spouse) and deaths."""

from pathlib import Path

import numpy as np
import pandas as pd

from scripts.sample import dates, messy, phones
from scripts.sample.admin import Communes
from scripts.sample.csvfile import chunked, write_csv
from scripts.sample.people import PERIOD_YEARS, Population
from scripts.sample.province import EVENT_START, REPORT_DATE
from scripts.sample.text import plain, zero_pad

HEADER = [
    "Số hồ sơ",
    "Loại sự kiện",
    "Ngày đăng ký",
    "Ngày xảy ra sự kiện",
    "Mã xã",
    "Số định danh cá nhân",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Ghi chú",
]
EVENTS = np.array(["Khai sinh", "Kết hôn", "Khai tử"], dtype=object)
BOOK = np.array(["KS", "KH", "KT"], dtype=object)  # register book codes used in the dossier number
BIRTH, MARRIAGE, DEATH = 0, 1, 2
SEX = np.array(["Nữ", "Nam"], dtype=object)

MARRIAGES_PER_1000_YEAR = 7.0
BIRTH_DEADLINE_DAYS = 60  # legal time to register a birth; later is "quá hạn"
DEATH_DEADLINE_DAYS = 15
# Weddings follow the lunar calendar: many in the last months of the year, few in summer.
MONTH_WEIGHTS = [1.3, 0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.6, 1.0, 1.3, 1.5, 1.6]
LOST_ZERO = 0.01
LOOSE_DATE = 0.03
SPACES = 0.005
LINKED = 0.25  # share of births and deaths registered through the joint (liên thông) procedure


def _weighted_sample(rng, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct candidates, drawn with probability proportional to weight (Efraimidis-Spirakis keys)."""
    keys = np.log(rng.random(len(candidates))) / weights
    return candidates[np.argsort(-keys, kind="stable")[:k]]


def _lagged(rng, event: np.ndarray, mean_days: float, late_share: float, deadline: int) -> np.ndarray:
    """Registration dates after the event: mostly within the legal deadline, never after REPORT_DATE."""
    lag = np.floor(rng.exponential(mean_days, size=len(event)))
    late = rng.random(len(event)) < late_share
    lag = np.where(late, rng.integers(deadline + 1, 300, size=len(event)), lag)
    return event + np.minimum(lag.astype(np.int64), (REPORT_DATE - event).astype(np.int64)).astype("timedelta64[D]")


def _marriages(rng, pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pick couples among residents; return bride, groom, registration date and registering unit."""
    count = round(pop.residents * MARRIAGES_PER_1000_YEAR / 1000 * PERIOD_YEARS)
    age = pop.age[: pop.residents].astype(float)
    male = pop.male[: pop.residents]
    everyone = np.arange(pop.residents)
    women = everyone[~male & (age >= 20) & (age <= 45)]
    men = everyone[male & (age >= 22) & (age <= 50)]
    count = min(count, len(women), len(men))
    bride = _weighted_sample(rng, women, np.exp(-0.5 * ((age[women] - 26) / 5) ** 2), count)
    groom = _weighted_sample(rng, men, np.exp(-0.5 * ((age[men] - 29) / 6) ** 2), count)
    days = np.arange(EVENT_START, REPORT_DATE + 1)
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    p = np.asarray(MONTH_WEIGHTS)[month]
    registered = rng.choice(days, size=count, p=p / p.sum())
    unit = np.where(rng.random(count) < 0.7, pop.commune[bride], pop.commune[groom])
    return bride, groom, registered, unit


def events(rng: np.random.Generator, pop: Population) -> pd.DataFrame:
    """All registrations as rows: type, person, registration and event dates, unit, dossier number."""
    child = np.flatnonzero(pop.birth[: pop.residents] >= EVENT_START)
    dead = np.arange(pop.residents, len(pop))
    bride, groom, wed, wed_unit = _marriages(rng, pop)
    couple = np.arange(len(bride))
    frame = pd.DataFrame(
        {
            "kind": np.concatenate(
                [np.full(len(child), BIRTH), np.full(2 * len(bride), MARRIAGE), np.full(len(dead), DEATH)]
            ),
            "person": np.concatenate([child, bride, groom, dead]),
            "couple": np.concatenate([np.full(len(child), -1), couple, couple, np.full(len(dead), -1)]),
            "event": np.concatenate(
                [pop.birth[child], np.full(2 * len(bride), np.datetime64("NaT"), "datetime64[D]"), pop.death[dead]]
            ),
            "registered": np.concatenate(
                [
                    _lagged(rng, pop.birth[child], 12.0, 0.03, BIRTH_DEADLINE_DAYS),
                    wed,
                    wed,
                    _lagged(rng, pop.death[dead], 4.0, 0.02, DEATH_DEADLINE_DAYS),
                ]
            ),
            "unit": np.concatenate([pop.commune[child], wed_unit, wed_unit, pop.commune[dead]]),
        }
    )
    frame["year"] = frame["registered"].dt.year
    # Both spouses share one entry of the marriage register, so number couples, not rows.
    frame["entry"] = np.where(frame["couple"] >= 0, frame["couple"], -1 - frame["person"])
    entries = frame.drop_duplicates("entry").sort_values(["unit", "kind", "year", "registered", "entry"])
    entries["seq"] = entries.groupby(["unit", "kind", "year"]).cumcount() + 1
    frame = frame.merge(entries[["entry", "seq"]], on="entry", how="left")
    frame["spouse"] = np.where(pop.male[frame["person"]], 1, 0)
    return frame.sort_values(["registered", "unit", "kind", "seq", "spouse"], kind="stable").reset_index(drop=True)


def _notes(rng, frame: pd.DataFrame, pop: Population, main_number: np.ndarray) -> np.ndarray:
    n = len(frame)
    kind = frame["kind"].to_numpy()
    lag = (frame["registered"] - frame["event"]).dt.days.to_numpy()
    out = np.full(n, "", dtype=object)
    linked = rng.random(n) < LINKED
    out[(kind == BIRTH) & linked] = "Liên thông khai sinh - đăng ký thường trú - cấp thẻ BHYT"
    out[(kind == DEATH) & linked] = "Liên thông khai tử - xóa đăng ký thường trú - hỗ trợ mai táng phí"
    out[(kind == BIRTH) & (lag > BIRTH_DEADLINE_DAYS)] = "Đăng ký khai sinh quá hạn"
    out[(kind == DEATH) & (lag > DEATH_DEADLINE_DAYS)] = "Đăng ký khai tử quá hạn"
    out[(kind == MARRIAGE) & (rng.random(n) < 0.02)] = "Đăng ký kết hôn lưu động"
    # A few clerks copy the declarant's details into the note: personal data in free text.
    age = pop.age[: pop.residents]
    rows = np.flatnonzero((kind == BIRTH) & (rng.random(n) < 0.03))
    mothers = np.flatnonzero(~pop.male[: pop.residents] & (age >= 18) & (age <= 45))
    mother = rng.choice(mothers, size=len(rows))
    out[rows] = "Mẹ: " + pop.full_names(mother) + ", số định danh " + zero_pad(pop.pid[mother], 12)
    rows = np.flatnonzero((kind == DEATH) & (rng.random(n) < 0.04))
    callers = np.flatnonzero((main_number >= 0) & (age >= 18))
    caller = rng.choice(callers, size=len(rows))
    out[rows] = (
        "Người đi khai tử: "
        + pop.full_names(caller)
        + ", SĐT "
        + phones.render(main_number[caller], rng.choice(3, size=len(rows)))
    )
    return out


def write(path: Path, rng: np.random.Generator, pop: Population, communes: Communes, main_number: np.ndarray) -> int:
    """Write civil_status_events.csv."""
    frame = events(rng, pop)
    note = _notes(rng, frame, pop, main_number)
    person = frame["person"].to_numpy()
    kind = frame["kind"].to_numpy()
    number = plain(frame["seq"].to_numpy()) + "/" + plain(frame["year"].to_numpy()) + "/" + BOOK[kind]
    registered = frame["registered"].to_numpy().astype("datetime64[D]")
    happened = frame["event"].to_numpy().astype("datetime64[D]")
    unit = frame["unit"].to_numpy()

    def chunks():
        for rows in chunked(len(frame)):
            n = rows.stop - rows.start
            who = person[rows]
            yield [
                number[rows],
                EVENTS[kind[rows]],
                dates.render(registered[rows], messy.pick(rng, n, LOOSE_DATE)),
                dates.render(happened[rows], messy.pick(rng, n, LOOSE_DATE)),
                messy.lost_zeros(communes.code[unit[rows]], messy.pick(rng, n, LOST_ZERO)),
                messy.lost_zeros(zero_pad(pop.pid[who], 12), messy.pick(rng, n, LOST_ZERO)),
                messy.spaces(pop.full_names(who), messy.pick(rng, n, SPACES)),
                SEX[pop.male[who].astype(np.int64)],
                dates.render(pop.birth[who], messy.pick(rng, n, LOOSE_DATE)),
                note[rows],
            ]

    return write_csv(path, HEADER, chunks())
