"""Applications for administrative procedures filed by residents, from receipt to result."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scripts.sample import dates, messy, phones
from scripts.sample.admin import Communes
from scripts.sample.csvfile import chunked, write_csv
from scripts.sample.people import PERIOD_YEARS, Population
from scripts.sample.procedure_list import COMMUNE
from scripts.sample.procedures import Catalogue
from scripts.sample.province import EVENT_START, HALF_YEAR_START, HOLIDAYS, LOCALITY_CODE, REPORT_DATE
from scripts.sample.text import zero_pad

HEADER = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày trả kết quả",
    "Kênh nộp",
    "Đăng nhập VNeID",
    "Số định danh người nộp",
    "Họ tên người nộp",
    "Số điện thoại",
    "Mã xã",
    "Trạng thái",
]
CHANNELS = np.array(
    ["Cổng Dịch vụ công quốc gia", "Cổng Dịch vụ công tỉnh", "Trực tiếp", "Bưu chính công ích"], dtype=object
)
NATIONAL, PROVINCIAL, IN_PERSON, POST = range(4)
STATUS = np.array(["Đúng hạn", "Trễ hạn", "Đang xử lý"], dtype=object)
ON_TIME, LATE, PENDING = range(3)
YES_NO = np.array(["Không", "Có"], dtype=object)

PER_RESIDENT_YEAR = 0.2  # citizens' applications a year per resident
MIN_AGE = 16
# Online share at the start of the period for fully and partly online procedures; it grows by
# ONLINE_GROWTH (relative) over the period as Project 06 pushes services online.
ONLINE_START = {True: 0.62, False: 0.28}
ONLINE_GROWTH = 0.45
OFF_DAY_WEIGHT = 0.15  # filings on a weekend or holiday, relative to a working day
NATIONAL_SHARE = 0.45  # of online applications, filed on the national portal rather than the province's
POST_SHARE = 0.07  # of paper applications, sent through the public postal service
VNEID_LOGIN = 0.9  # P(an account holder logs in with VNeID where the procedure allows it)
LATE_SHARE = {True: 0.015, False: 0.04}
PHONE_MISSING = 0.1
PHONE_STYLES = [0.7, 0.12, 0.08, 0.06, 0.04, 0.0]
LOST_ZERO = 0.01
LOOSE_DATE = 0.03
SPACES = 0.005


@dataclass
class Applications:
    """One row per application, ordered by receipt date and dossier code."""

    procedure: np.ndarray
    applicant: np.ndarray
    submitted: np.ndarray
    due: np.ndarray
    result: np.ndarray
    channel: np.ndarray
    vneid: np.ndarray
    status: np.ndarray
    dossier: np.ndarray

    def __len__(self) -> int:
        return len(self.procedure)

    def counts(self, procedures: int, since=HALF_YEAR_START) -> tuple[np.ndarray, np.ndarray]:
        """Applications received per procedure since `since`, and how many of them online."""
        recent = self.submitted >= since
        online = recent & (self.channel <= PROVINCIAL)
        return (
            np.bincount(self.procedure[recent], minlength=procedures),
            np.bincount(self.procedure[online], minlength=procedures),
        )


def _receipt_dates(rng, size: int) -> np.ndarray:
    """Receipt dates: every working day alike, far fewer filings on weekends and holidays."""
    days = np.arange(EVENT_START, REPORT_DATE + 1)
    weight = np.where(np.is_busday(days, holidays=HOLIDAYS), 1.0, OFF_DAY_WEIGHT)
    return rng.choice(days, size=size, p=weight / weight.sum())


def _agency_codes(cat: Catalogue, communes: Communes, procedure, unit) -> np.ndarray:
    """Receiving office code: the department for provincial procedures, the unit for commune ones."""
    agencies = sorted(set(cat.agency[cat.level != COMMUNE]))
    department = {name: f"000.00.{i + 1:02d}.{LOCALITY_CODE}" for i, name in enumerate(agencies)}
    office = np.array([department.get(a, "") for a in cat.agency], dtype=object)[procedure]
    local = cat.level[procedure] == COMMUNE
    office[local] = "000." + zero_pad(unit[local] + 1, 2) + ".50." + LOCALITY_CODE
    return office


def generate(
    rng: np.random.Generator, pop: Population, cat: Catalogue, communes: Communes, active_vneid: np.ndarray
) -> Applications:
    """Draw the period's applications and follow each to its result or to the report date."""
    count = round(pop.residents * PER_RESIDENT_YEAR * PERIOD_YEARS)
    age = pop.age[: pop.residents]
    activity = np.select([age < MIN_AGE, age < 18, age < 60, age < 75], [0.0, 0.2, 1.0, 0.6], 0.25)
    applicant = rng.choice(pop.residents, size=count, p=activity / activity.sum())
    procedure = rng.choice(len(cat), size=count, p=cat.demand)
    full = cat.full_online[procedure]

    submitted = _receipt_dates(rng, count)
    elapsed = (submitted - EVENT_START).astype(np.int64) / (REPORT_DATE - EVENT_START).astype(np.int64)
    p_online = np.where(full, ONLINE_START[True], ONLINE_START[False]) * (1 + ONLINE_GROWTH * elapsed)
    # One-stop offices are closed on weekends and holidays: whatever arrives then came online.
    p_online = np.where(np.is_busday(submitted, holidays=HOLIDAYS), p_online, 1.0)
    online = rng.random(count) < p_online
    channel = np.where(
        online,
        np.where(rng.random(count) < NATIONAL_SHARE, NATIONAL, PROVINCIAL),
        np.where(rng.random(count) < POST_SHARE, POST, IN_PERSON),
    )

    allowed = cat.days[procedure]
    due = dates.add_working_days(submitted, allowed)
    taken = np.ceil(allowed * rng.beta(2.0, 3.0, size=count)).astype(np.int64)
    late = rng.random(count) < np.where(full, LATE_SHARE[True], LATE_SHARE[False])
    taken = np.where(late, allowed + rng.integers(1, 11, size=count), taken)
    result = dates.add_working_days(submitted, taken)
    status = np.where(result > REPORT_DATE, PENDING, np.where(result > due, LATE, ON_TIME))
    result = np.where(status == PENDING, np.datetime64("NaT"), result)

    vneid = online & cat.vneid[procedure] & active_vneid[applicant] & (rng.random(count) < VNEID_LOGIN)

    unit = pop.commune[applicant]
    office = _agency_codes(cat, communes, procedure, unit)
    order = np.lexsort((rng.random(count), office, submitted))
    frame = pd.DataFrame({"office": office[order], "day": submitted[order]})
    seq = frame.groupby(["office", "day"], sort=False).cumcount().to_numpy() + 1
    stamp = pd.Series(submitted[order]).dt.strftime("%y%m%d").to_numpy(dtype=object)
    dossier = office[order] + "-" + stamp + "-" + zero_pad(seq, 4)
    return Applications(
        procedure[order],
        applicant[order],
        submitted[order],
        due[order],
        result[order],
        channel[order],
        vneid[order],
        status[order],
        dossier,
    )


def write(
    path: Path,
    rng: np.random.Generator,
    apps: Applications,
    pop: Population,
    cat: Catalogue,
    communes: Communes,
    main_number: np.ndarray,
) -> int:
    """Write online_applications.csv."""
    style = rng.choice(len(phones.STYLES), size=len(apps), p=PHONE_STYLES)
    has_phone = (main_number[apps.applicant] >= 0) & (rng.random(len(apps)) >= PHONE_MISSING)

    def chunks():
        for rows in chunked(len(apps)):
            n = rows.stop - rows.start
            who = apps.applicant[rows]
            phone = np.full(n, "", dtype=object)
            shown = has_phone[rows]
            phone[shown] = phones.render(main_number[who][shown], style[rows][shown])
            yield [
                apps.dossier[rows],
                cat.code[apps.procedure[rows]],
                dates.render(apps.submitted[rows], messy.pick(rng, n, LOOSE_DATE)),
                dates.render(apps.due[rows], messy.pick(rng, n, LOOSE_DATE)),
                dates.render(apps.result[rows], messy.pick(rng, n, LOOSE_DATE)),
                CHANNELS[apps.channel[rows]],
                YES_NO[apps.vneid[rows].astype(np.int64)],
                messy.lost_zeros(zero_pad(pop.pid[who], 12), messy.pick(rng, n, LOST_ZERO)),
                messy.spaces(pop.full_names(who), messy.pick(rng, n, SPACES)),
                phone,
                messy.lost_zeros(communes.code[pop.commune[who]], messy.pick(rng, n, LOST_ZERO)),
                STATUS[apps.status[rows]],
            ]

    return write_csv(path, HEADER, chunks())
