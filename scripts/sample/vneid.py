"""Electronic identification (VNeID) accounts of residents: who registered, when, and at what level."""

from pathlib import Path

import numpy as np

from scripts.sample import dates, messy
from scripts.sample.admin import Communes
from scripts.sample.csvfile import chunked, write_csv
from scripts.sample.people import Population
from scripts.sample.province import EVENT_START, REPORT_DATE
from scripts.sample.text import zero_pad

HEADER = ["Số định danh cá nhân", "Ngày đăng ký", "Ngày kích hoạt", "Mức định danh", "Mã xã", "Kênh đăng ký"]
LEVELS = np.array(["Mức 1", "Mức 2"], dtype=object)
# Level 1 is opened by the citizen in the app; level 2 needs the police, either at the commune police
# station or together with a chip ID card application.
CHANNELS = np.array(["Ứng dụng VNeID", "Công an cấp xã", "Kết hợp khi cấp thẻ Căn cước công dân"], dtype=object)
CHANNEL_SHARES = [0.22, 0.46, 0.32]

MIN_AGE = 14
# P(registered by the report date) by age: about 70 % of adults overall, far fewer of the very old.
UPTAKE = [(14, 18, 0.50), (18, 60, 0.76), (60, 70, 0.52), (70, 80, 0.32), (80, 200, 0.10)]
NEVER_ACTIVATED = 0.07  # level-2 accounts whose holder never opened the activation message
ACTIVATION_DELAY_DAYS = 9.0
LOST_ZERO = 0.01
LOOSE_DATE = 0.04


def write(path: Path, rng: np.random.Generator, pop: Population, communes: Communes) -> tuple[int, np.ndarray]:
    """Write vneid_accounts.csv; also return, per resident, whether an activated account exists."""
    age = pop.age[: pop.residents]
    p = np.zeros(pop.residents)
    for low, high, share in UPTAKE:
        p[(age >= low) & (age < high)] = share
    holder = np.flatnonzero(rng.random(pop.residents) < p)
    n = len(holder)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARES)
    # Registrations came in waves: heavy in early 2023, then a steady trickle.
    span = int((REPORT_DATE - EVENT_START).astype(int))
    registered = EVENT_START + np.floor(span * rng.random(n) ** 1.4).astype("timedelta64[D]")
    # Nobody registers before turning 14.
    fourteenth = pop.birth[holder] + np.ceil(MIN_AGE * 365.25).astype(np.int64).astype("timedelta64[D]")
    registered = np.maximum(registered, np.minimum(fourteenth, REPORT_DATE))
    delay = np.where(channel == 0, 0, np.floor(rng.exponential(ACTIVATION_DELAY_DAYS, size=n)))
    activated = registered + delay.astype("timedelta64[D]")
    lapsed = ((channel > 0) & (rng.random(n) < NEVER_ACTIVATED)) | (activated > REPORT_DATE)
    activated[lapsed] = np.datetime64("NaT")
    level = np.where(channel == 0, 0, 1)
    active = np.zeros(pop.residents, dtype=bool)
    active[holder[~lapsed]] = True

    def chunks():
        for rows in chunked(n):
            m = rows.stop - rows.start
            person = holder[rows]
            yield [
                messy.lost_zeros(zero_pad(pop.pid[person], 12), messy.pick(rng, m, LOST_ZERO)),
                dates.render(registered[rows], messy.pick(rng, m, LOOSE_DATE)),
                dates.render(activated[rows], messy.pick(rng, m, LOOSE_DATE)),
                LEVELS[level[rows]],
                messy.lost_zeros(communes.code[pop.commune[person]], messy.pick(rng, m, LOST_ZERO)),
                CHANNELS[channel[rows]],
            ]

    return write_csv(path, HEADER, chunks()), active
