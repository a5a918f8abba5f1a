"""What a delivered file's columns hold, as counts: the gate's detectors, the province's communes, names' shape.

Only counts leave this module; the values themselves stay in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scripts.build.gate import scan_frame
from scripts.build.gate.words import fold

# Rows the detectors read: a share within a point or two, and quick on a province's 1.6 million residents.
SAMPLE_ROWS = 5_000

# Surnames of most people in the north of Vietnam, Kinh and the province's minorities (Tày, Dao, Sán Dìu, Sán Chay,
# Hoa, Nùng), folded: a column whose values mostly open with one and run to three or four words holds names.
SURNAMES = frozenset(
    fold("""
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Vũ Võ Phan Đặng Bùi Đỗ Hồ Ngô Dương Đinh Lương Trịnh Đào Mai Lý Hà Tạ Cao
    Lưu Đoàn Phùng Nông Vi Triệu Bàn Chíu Lỷ Diệp Tằng Trương Lâm Châu Tô La Nịnh Quách Lò Cầm Lường Chu Lục
    Thân Nghiêm Tống Khổng Kiều Lại Giáp Hứa Từ Âu Bế Mạc Đàm Đồng Lăng Tăng Thái Trình
""").split()
)
SEX_WORDS = frozenset({"nam", "nu", "khac", "male", "female"})


@dataclass(frozen=True)
class Communes:
    """The province's communes as the sample knows them (vietnamadminunits): codes, and names folded."""

    province: str
    codes: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of_the_province(cls) -> Communes:
        from scripts.sample import admin  # vietnamadminunits' query, only when a file is drafted

        units = admin.load()
        names = {fold(str(name)) for name in (*units.name, *units.short)}
        return cls(units.province, frozenset(str(code) for code in units.code), frozenset(names))


@dataclass(frozen=True)
class KnownPeople:
    """The names and addresses of the people in the portal's sources: what the build's gate looks for."""

    names: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()


@dataclass
class ColumnMeasures:
    """Counts over one column: emptiness over every row, the rest over the sampled rows' non-empty values."""

    rows: int
    present: int  # non-empty values in the file
    distinct: int  # distinct non-empty values among the sampled rows
    sampled: int  # rows the detectors read
    sampled_present: int  # non-empty values among them: the whole of every share below
    kinds: dict[str, int] = field(default_factory=dict)  # gate kind -> values it fires on
    commune_codes: int = 0
    commune_names: int = 0
    name_shaped: int = 0  # values shaped like a Vietnamese full name
    sex_words: int = 0
    mean_words: float = 0.0

    @property
    def identified(self) -> int:
        """Values some detector fires on, counted once per kind (an upper bound when kinds overlap)."""
        return sum(self.kinds.values())


def sample(frame: pd.DataFrame) -> pd.DataFrame:
    """At most SAMPLE_ROWS rows spread evenly over the file, the same rows every run."""
    if len(frame) <= SAMPLE_ROWS:
        return frame
    return frame.iloc[np.linspace(0, len(frame) - 1, SAMPLE_ROWS).astype(np.int64)]


def measure(frame: pd.DataFrame, known: KnownPeople, communes: Communes) -> dict[str, ColumnMeasures]:
    """Counts for every column of a frame of stripped strings, by header."""
    sampled = sample(frame)
    report = scan_frame("draft", sampled, known_names=known.names, known_addresses=known.addresses)
    measures = {}
    for header in frame.columns:
        present = sampled[header][sampled[header] != ""]
        tally = present.value_counts(sort=False)
        distinct = pd.Series(tally.index, dtype=object)
        weight = tally.to_numpy()  # rows holding each distinct value
        folded = pd.Series([fold(v) for v in distinct], dtype=object)
        words = folded.str.split().str.len().fillna(0).to_numpy()
        is_code = distinct.str.fullmatch(r"\d{4,5}") & distinct.str.zfill(5).isin(communes.codes)
        shaped = (
            folded.str.split().str[0].isin(SURNAMES) & (words >= 2) & (words <= 6) & ~distinct.str.contains(r"[\d@/,;]")
        )
        measures[header] = ColumnMeasures(
            rows=len(frame),
            present=int((frame[header] != "").sum()),
            distinct=len(distinct),
            sampled=len(sampled),
            sampled_present=len(present),
            kinds={kind: n for (name, kind), n in report.counts.items() if name == header},
            commune_codes=_rows(weight, is_code),
            commune_names=_rows(weight, folded.isin(communes.names)),
            name_shaped=_rows(weight, shaped),
            sex_words=_rows(weight, folded.isin(SEX_WORDS)),
            mean_words=float((words * weight).sum() / weight.sum()) if len(present) else 0.0,
        )
    return measures


def _rows(weight: np.ndarray, mask: pd.Series) -> int:
    """The rows holding the distinct values a mask picks."""
    return int(weight[mask.to_numpy(dtype=bool)].sum())
