"""The public list of the province's communes, wards and special zones."""

from pathlib import Path

import numpy as np

from scripts.sample.admin import Communes
from scripts.sample.csvfile import write_csv
from scripts.sample.province import PROVINCE_CODE

HEADER = ["Mã xã", "Tên đơn vị hành chính", "Loại đơn vị", "Mã tỉnh", "Tên tỉnh", "Vĩ độ", "Kinh độ", "Diện tích (km²)"]
# Every code of this province starts with 0; Excel drops it when a cell was once typed as a number.
LOST_ZERO_EVERY = 5
DECIMAL_COMMA_EVERY = 9  # areas typed with a decimal comma, as a Vietnamese-locale sheet shows them


def _number(values: np.ndarray) -> np.ndarray:
    return np.array([repr(float(v)) for v in values], dtype=object)


def write(path: Path, communes: Communes) -> int:
    """Write communes.csv in code order."""
    n = len(communes)
    row = np.arange(n)
    code = communes.code.copy()
    lost = row % LOST_ZERO_EVERY == 2
    code[lost] = np.char.lstrip(code[lost].astype(str), "0").astype(object)
    area = _number(communes.area)
    comma = row % DECIMAL_COMMA_EVERY == 4
    area[comma] = np.char.replace(area[comma].astype(str), ".", ",").astype(object)
    columns = [
        code,
        communes.name,
        communes.kind,
        np.full(n, PROVINCE_CODE, dtype=object),
        np.full(n, communes.province, dtype=object),
        _number(communes.lat),
        _number(communes.lon),
        area,
    ]
    return write_csv(path, HEADER, [columns])
