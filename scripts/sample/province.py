"""The one place that says which province, which dates and which scales the sample describes."""

import numpy as np

PROVINCE_CODE = "22"  # two-level (2025) province code in vietnamadminunits
PROVINCE_NAME = "Tỉnh Quảng Ninh"
PROVINCE_SHORT = "Quảng Ninh"
BIRTH_PROVINCE_CODE = 22  # legacy (63-province) code that opens a citizen ID registered here: 022
# Locality suffix of national procedure and dossier codes. Not checked against the live
# national catalogue: a plausible placeholder kept here so it changes in one place.
LOCALITY_CODE = "H49"

REPORT_DATE = np.datetime64("2024-06-30")  # every extract describes the province on this day
EVENT_START = np.datetime64("2023-01-01")  # person-level events fall in [EVENT_START, REPORT_DATE]
HALF_YEAR_START = np.datetime64("2024-01-01")  # start of the period the catalogue counts cover

DEFAULT_SEED = 20240630
SCALES = {"small": 40_000, "province": 1_600_000}

# Public holidays of 2023-2024 that stop the clock on administrative deadlines.
HOLIDAYS = np.array(
    [
        "2023-01-02",
        "2023-01-20",
        "2023-01-23",
        "2023-01-24",
        "2023-01-25",
        "2023-01-26",
        "2023-05-01",
        "2023-05-02",
        "2023-05-03",
        "2023-09-01",
        "2023-09-04",
        "2024-01-01",
        "2024-02-08",
        "2024-02-09",
        "2024-02-12",
        "2024-02-13",
        "2024-02-14",
        "2024-04-18",
        "2024-04-29",
        "2024-04-30",
        "2024-05-01",
    ],
    dtype="datetime64[D]",
)
