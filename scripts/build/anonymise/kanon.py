"""k-anonymity and l-diversity for record tables: least generalisation on a small lattice, then local suppression.

Every level of every quasi-identifier is computed once and coded as integers; a lattice node is then
a mixed-radix key whose classes come from one factorisation, so a node costs milliseconds per
hundred thousand rows. Nodes are visited by total level (breadth first); the first level where some
node needs at most `max_suppression` of the records dropped wins, and among its nodes the one
dropping fewest. Generalising never splits a class, so nothing above that level could do better
without generalising more.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scripts.build.anonymise.generalise import GENERALISERS, to_area

MIN_K = 5
MIN_K_SENSITIVE = 10
MIN_L = 3
UNKNOWN = "Không rõ"
WITHHELD = "Không công bố"

Level = str | Callable[..., pd.Series] | Mapping


class AnonymityUnreachable(Exception):
    """No generalisation in the lattice reaches k and l within the suppression budget."""


@dataclass
class Hierarchy:
    """A quasi-identifier, its output name and its generalisation levels, least general first.

    A level is a generaliser's name, a function from the column to a coarser column, or a mapping.
    """

    column: str
    output: str
    levels: list[Level]


@dataclass
class Released:
    """The generalised quasi-identifiers and sensitive columns of the kept rows, indexed like the input."""

    frame: pd.DataFrame
    levels: dict[str, str]
    k: int
    l_diversity: int | None
    suppressed_share: float
    rows_in: int = 0
    rows_out: int = 0


def withheld(values: pd.Series, at: pd.Series | None = None) -> pd.Series:
    """Every value hidden: the top level of a published column that k may need to give up entirely."""
    return pd.Series(WITHHELD, index=values.index, dtype="string")


# The levels a record table may declare: the shared generalisers and the record tables' own top level.
LEVELS = GENERALISERS | {"withheld": withheld}


def level_name(level: Level) -> str:
    """How a level is reported: its registry name, else the function's name, else `mapping`."""
    if isinstance(level, str):
        return level
    if isinstance(level, Mapping):
        return "mapping"
    return getattr(level, "__name__", getattr(getattr(level, "func", None), "__name__", "function"))


def _apply(level: Level, values: pd.Series, at: pd.Series | None) -> pd.Series:
    if isinstance(level, str):
        return LEVELS[level](values, at)
    if isinstance(level, Mapping):
        return to_area(values, level)
    return level(values, at) if at is not None else level(values)


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column, a missing value being a value of its own."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(uniques), 1)


def _classes(columns: list[tuple[np.ndarray, int]], n: int) -> tuple[np.ndarray, int]:
    """Equivalence class of every row: the distinct combinations of the coded columns."""
    key, radix = np.zeros(n, dtype=np.int64), 1
    for codes, size in columns:
        if radix * size >= 2**62:
            # Re-number before the mixed-radix key could overflow.
            key, radix = _codes(key)
        key, radix = key * size + codes, radix * size
    return _codes(key)


def _bad_classes(cls: np.ndarray, n_classes: int, sensitive, k: int, l: int) -> np.ndarray:
    """Classes smaller than k or with fewer than l distinct values of some sensitive column."""
    bad = np.bincount(cls, minlength=n_classes) < k
    for codes, size in sensitive:
        pairs = pd.unique(cls * size + codes)
        bad |= np.bincount(pairs // size, minlength=n_classes) < l
    return bad


def _l_achieved(cls, n_classes, sensitive, kept: np.ndarray) -> int:
    """Fewest distinct sensitive values in a kept class (dropping whole classes leaves the others intact)."""
    counts = [np.bincount(pd.unique(cls * size + codes) // size, minlength=n_classes) for codes, size in sensitive]
    return int(min(c[kept].min() for c in counts)) if kept.any() else 0


def anonymise_records(
    frame: pd.DataFrame,
    hierarchies: list[Hierarchy],
    k: int,
    sensitive: list[str] = (),
    l: int = 1,
    max_suppression: float = 0.05,
    at: pd.Series | None = None,
) -> Released:
    """Generalise the quasi-identifiers as little as possible, then drop the rows still in small classes."""
    sensitive = list(sensitive)
    if k < MIN_K or (sensitive and (k < MIN_K_SENSITIVE or l < MIN_L)):
        raise ValueError(
            f"k must be at least {MIN_K} ({MIN_K_SENSITIVE} with sensitive columns, "
            f"which also need l of at least {MIN_L}); got k={k}, l={l}"
        )
    n = len(frame)
    generalised: dict[tuple[int, int], pd.Series] = {}
    coded: dict[tuple[int, int], tuple[np.ndarray, int]] = {}

    def level(i: int, j: int) -> tuple[np.ndarray, int]:
        # Levels are computed when a node first needs them: most searches stop low in the lattice.
        if (i, j) not in coded:
            h = hierarchies[i]
            generalised[i, j] = _apply(h.levels[j], frame[h.column], at).fillna(UNKNOWN)
            coded[i, j] = _codes(generalised[i, j])
        return coded[i, j]

    sa = [_codes(frame[column]) for column in sensitive]
    nodes = sorted(itertools.product(*(range(len(h.levels)) for h in hierarchies)), key=lambda n: (sum(n), n))
    best = None
    for node in nodes:
        if best is not None and sum(node) > sum(best[0]):
            break  # a less general node already met the budget
        cls, n_classes = _classes([level(i, j) for i, j in enumerate(node)], n)
        drop = _bad_classes(cls, n_classes, sa, k, l)[cls] if n else np.zeros(0, dtype=bool)
        share = float(drop.mean()) if n else 0.0
        if share <= max_suppression and (best is None or share < best[2]):
            best = (node, cls, share, drop, n_classes)
    if best is None:
        raise AnonymityUnreachable(
            f"no generalisation of {[h.column for h in hierarchies]} reaches k={k}, l={l} "
            f"with at most {max_suppression:.0%} of records suppressed"
        )
    node, cls, share, drop, n_classes = best
    keep = ~drop
    released = frame.loc[keep, sensitive].copy()
    for i, (h, j) in enumerate(zip(hierarchies, node)):
        released[h.output] = generalised[i, j][keep]
    sizes = np.bincount(cls[keep], minlength=n_classes)
    kept_classes = sizes > 0
    return Released(
        frame=released,
        levels={h.column: level_name(h.levels[j]) for h, j in zip(hierarchies, node)},
        k=int(sizes[kept_classes].min()) if kept_classes.any() else 0,
        l_diversity=_l_achieved(cls, n_classes, sa, kept_classes) if sensitive else None,
        suppressed_share=share,
        rows_in=n,
        rows_out=int(keep.sum()),
    )
