"""The catalogue of online administrative procedures, with national codes and demand in 2024 H1."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.sample import messy
from scripts.sample.csvfile import write_csv
from scripts.sample.procedure_list import ESSENTIAL, GROUPS, HEAVY
from scripts.sample.province import LOCALITY_CODE
from scripts.sample.streams import stream

HEADER = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cơ quan thực hiện",
    "Cấp thực hiện",
    "Mức độ cung cấp dịch vụ công trực tuyến",
    "Tích hợp đăng nhập VNeID",
    "Thời hạn giải quyết (ngày làm việc)",
    "Số hồ sơ tiếp nhận 6 tháng đầu năm 2024",
    "Trong đó: tiếp nhận trực tuyến",
]
FULL, PARTIAL = "Toàn trình", "Một phần"
YES_NO = np.array(["Không", "Có"], dtype=object)
# The catalogue is reference data: it must not change with --seed or the scale.
CATALOGUE_SEED = 46_2023
VNEID_SHARE = {True: 0.75, False: 0.3}  # P(VNeID login integrated) for fully / partly online procedures
# National codes: "1." procedures set by ministries, "2." and "3." locally specific ones.
CODE_CLASSES = [(1, 0.82, 13_000), (2, 0.16, 2_700), (3, 0.02, 400)]
# The received column carries Excel's "#,##0" format (a dot between thousands in a Vietnamese locale);
# in the online column only the cells pasted in from another sheet do.
THOUSANDS_SHARE = 0.5
DEMAND_DECAY = 0.7  # demand of the k-th procedure of a group relative to the first: k ** -DEMAND_DECAY
DEMAND_SPREAD = 0.4  # log-normal noise on demand, so that neighbours in a list are not in lockstep


@dataclass(frozen=True)
class Catalogue:
    """Procedures as parallel arrays, in catalogue order."""

    code: np.ndarray
    name: np.ndarray
    field: np.ndarray
    agency: np.ndarray
    level: np.ndarray
    full_online: np.ndarray  # bool
    vneid: np.ndarray  # bool
    days: np.ndarray  # working days allowed
    demand: np.ndarray  # relative yearly applications by citizens

    def __len__(self) -> int:
        return len(self.code)


def _national_codes(rng: np.random.Generator, size: int) -> np.ndarray:
    shares = np.array([c[1] for c in CODE_CLASSES])
    klass = rng.choice(len(CODE_CLASSES), size=size, p=shares)
    number = np.zeros(size, dtype=np.int64)
    taken: set[tuple[int, int]] = set()
    for i in range(size):  # a few hundred reference rows, not residents
        head, _, top = CODE_CLASSES[klass[i]]
        candidate = int(rng.integers(0, top))
        while (head, candidate) in taken:
            candidate = int(rng.integers(0, top))
        taken.add((head, candidate))
        number[i] = candidate
    heads = np.array([c[0] for c in CODE_CLASSES])[klass]
    return np.array([f"{h}.{n:06d}.000.00.00.{LOCALITY_CODE}" for h, n in zip(heads, number)], dtype=object)


def catalogue() -> Catalogue:
    """Build the catalogue; identical on every run."""
    rng = stream(CATALOGUE_SEED, "catalogue")
    # Within a group the list starts with the procedures people use most.
    rows = [
        (field, agency, level, demand * HEAVY.get(name, 1.0) * (rank + 1) ** -DEMAND_DECAY, days, share, name)
        for field, agency, level, demand, days, share, names in GROUPS
        for rank, name in enumerate(names)
    ]
    n = len(rows)
    essential = np.array([r[6] in ESSENTIAL for r in rows])
    full = (rng.random(n) < np.array([r[5] for r in rows])) | essential
    vneid = (rng.random(n) < np.where(full, VNEID_SHARE[True], VNEID_SHARE[False])) | essential
    demand = np.array([r[3] for r in rows]) * rng.lognormal(0.0, DEMAND_SPREAD, size=n)
    days = np.maximum(1, np.round(np.array([r[4] for r in rows]) * rng.choice([0.5, 1, 1, 1, 1.5], size=n)))
    return Catalogue(
        code=_national_codes(rng, n),
        name=np.array([r[6] for r in rows], dtype=object),
        field=np.array([r[0] for r in rows], dtype=object),
        agency=np.array([r[1] for r in rows], dtype=object),
        level=np.array([r[2] for r in rows], dtype=object),
        full_online=full,
        vneid=vneid,
        days=days.astype(np.int64),
        demand=demand / demand.sum(),
    )


def write(path: Path, cat: Catalogue, received: np.ndarray, online: np.ndarray) -> int:
    """Write online_procedures.csv with the 2024 H1 counts taken from the applications extract."""
    rng = stream(CATALOGUE_SEED, "catalogue-blemishes")
    n = len(cat)
    columns = [
        cat.code,
        messy.spaces(cat.name, messy.pick(rng, n, 0.03)),
        cat.field,
        cat.agency,
        cat.level,
        np.where(cat.full_online, FULL, PARTIAL).astype(object),
        YES_NO[cat.vneid.astype(np.int64)],
        cat.days.astype(str).astype(object),
        messy.thousands(received, np.ones(n, dtype=bool)),
        messy.thousands(online, messy.pick(rng, n, THOUSANDS_SHARE)),
    ]
    return write_csv(path, HEADER, [columns])
