"""The synthetic population: living residents on the report date plus those who died in the period."""

from dataclasses import dataclass

import numpy as np

from scripts.sample import identifiers, person_names
from scripts.sample.admin import ETHNICITIES, Communes, allocate
from scripts.sample.dates import uniform_days, years_between
from scripts.sample.province import EVENT_START, REPORT_DATE

DAYS_PER_YEAR = 365.2425

# Shares of residents by five-year age band (0-4, 5-9, ... 100-104): a Vietnamese pyramid of the 2020s,
# narrowing at the base as births fell. 0-4 at about 6.8 % gives the ~14 births per 1,000 a year.
AGE_BANDS = np.array(
    [7.0, 8.2, 8.3, 7.3, 6.6, 7.2, 8.0, 8.1, 7.6, 6.9, 6.2, 5.6, 4.9, 3.9, 2.7, 1.6, 1.1, 0.7, 0.35, 0.12, 0.02]
)
# Share of men by the same bands: more boys at birth, more women among the old.
MALE_SHARE = np.array(
    [
        0.53,
        0.53,
        0.525,
        0.52,
        0.51,
        0.505,
        0.5,
        0.5,
        0.5,
        0.495,
        0.49,
        0.485,
        0.47,
        0.46,
        0.45,
        0.42,
        0.39,
        0.36,
        0.33,
        0.3,
        0.3,
    ]
)
# Age at death by the same bands: deaths concentrate after 60.
DEATH_AGE_BANDS = np.array(
    [1.5, 0.2, 0.2, 0.5, 0.8, 0.9, 1.0, 1.2, 1.6, 2.2, 3.2, 4.5, 6.5, 8.5, 10.5, 12.0, 13.0, 12.5, 9.0, 4.0, 1.0]
)
DEATH_MALE_SHARE = 0.56

BIRTHS_IN_PERIOD_LOCAL = 1.0  # children born in the period were registered here
LOCAL_SHARE_MINOR = 0.92
LOCAL_SHARE_KINH_ADULT = 0.78  # the coal and port economy draws workers from other provinces
LOCAL_SHARE_MINORITY_ADULT = 0.96

DEATHS_PER_1000_YEAR = 6.0
PERIOD_YEARS = float((REPORT_DATE - EVENT_START).astype(int) + 1) / DAYS_PER_YEAR
COMMUNE_FLOOR = 250  # at least this many residents per unit, so that small islands still show up


@dataclass
class Population:
    """Everyone the sample knows of, as parallel arrays; rows [0, residents) are alive on REPORT_DATE."""

    residents: int
    pid: np.ndarray  # int64 citizen ID
    birth: np.ndarray  # datetime64[D]
    male: np.ndarray  # bool
    ethnicity: np.ndarray  # int8 index into ETHNICITIES
    commune: np.ndarray  # int16 index into Communes
    surname: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    death: np.ndarray  # datetime64[D], NaT for the living
    age: np.ndarray  # whole years on REPORT_DATE (or at death)

    def __len__(self) -> int:
        return len(self.pid)

    def full_names(self, rows) -> np.ndarray:
        """Rendered full names of the given rows."""
        return person_names.render(self.surname[rows], self.middle[rows], self.given[rows], self.male[rows])


def _ages_in_days(rng: np.random.Generator, bands: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Ages in days, uniform within five-year bands drawn by weight; also the band of each person."""
    band = rng.choice(len(bands), size=size, p=bands / bands.sum())
    years = (band + rng.random(size)) * 5
    return np.floor(years * DAYS_PER_YEAR).astype(np.int64), band


def generate(rng: np.random.Generator, communes: Communes, residents: int) -> Population:
    """Draw residents (grouped by unit, in code order) followed by the people who died in the period."""
    per_unit = allocate(residents, communes.weight, COMMUNE_FLOOR)
    living_commune = np.repeat(np.arange(len(communes), dtype=np.int16), per_unit)
    deaths = round(residents * DEATHS_PER_1000_YEAR / 1000 * PERIOD_YEARS)
    dead_commune = rng.choice(len(communes), size=deaths, p=communes.weight).astype(np.int16)
    commune = np.concatenate([living_commune, dead_commune])

    living_days, living_band = _ages_in_days(rng, AGE_BANDS, residents)
    dead_days, _ = _ages_in_days(rng, DEATH_AGE_BANDS, deaths)
    death = np.concatenate([np.full(residents, np.datetime64("NaT"), dtype="datetime64[D]"), uniform_days(rng, deaths)])
    anchor = np.where(np.isnat(death), REPORT_DATE, death)
    birth = anchor - np.concatenate([living_days, dead_days]).astype("timedelta64[D]")
    male = np.concatenate([rng.random(residents) < MALE_SHARE[living_band], rng.random(deaths) < DEATH_MALE_SHARE])

    ethnicity = np.zeros(len(commune), dtype=np.int8)
    for unit in range(len(communes)):
        rows = np.flatnonzero(commune == unit)
        ethnicity[rows] = rng.choice(len(ETHNICITIES), size=len(rows), p=communes.ethnic_mix[unit])

    age = years_between(birth, anchor)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    kinh = ethnicity == ETHNICITIES.index("Kinh")
    local = np.where(age < 18, LOCAL_SHARE_MINOR, np.where(kinh, LOCAL_SHARE_KINH_ADULT, LOCAL_SHARE_MINORITY_ADULT))
    local = np.where(birth >= EVENT_START, BIRTHS_IN_PERIOD_LOCAL, local)
    province = identifiers.birth_provinces(rng, local)
    pid = identifiers.unique_ids(rng, province, birth_year, male)
    surname, middle, given = person_names.draw(rng, ethnicity, male, birth_year)
    return Population(residents, pid, birth, male, ethnicity, commune, surname, middle, given, death, age)
