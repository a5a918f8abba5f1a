"""Cell suppression for count cubes: primary by threshold, secondary until the attacker learns no cell.

Secondary suppression alternates two steps until an audit passes. First, every line (a total and
its children along one dimension) holding exactly one suppressed cell gets a partner hidden, since
a lone hidden cell is the total minus the rest. Then the cells changed since the last audit are
audited (`exposure.exposed_cells`), and each exposed cell gets a partner hidden on one of its lines.
A partner is never zero and never small (so every hidden cell is at least 1, and a secondary cell
at least the threshold); among those, cells that also close other lone-cell lines and open no
untouched line come first, then the smallest. Hiding more only widens the attacker's feasible set,
so cells proven safe stay safe and the loop ends with every suppressed cell proven to take at least
`protection` + 1 integer values.
"""

import numpy as np
import pandas as pd

from .audit import attacker_bounds, components, pinned
from .exposure import exposed_cells
from .propagate import tighten
from .cube import CubeShape, count_cube, cube_frame

MIN_THRESHOLD = 3


class SuppressionFailed(RuntimeError):
    """No further cell can be suppressed, yet some suppressed cell is still exposed."""


class _Lines:
    """Members of every line, for picking candidate cells line by line."""

    def __init__(self, shape: CubeShape):
        self.of = shape.lines
        self.incidence = shape.incidence
        flat = self.of.ravel()
        order = np.argsort(flat, kind="stable")
        self.cells = np.repeat(np.arange(shape.n_cells), self.of.shape[1])[order]
        self.ptr = np.r_[0, np.cumsum(np.bincount(flat, minlength=shape.n_lines))]

    def members(self, lines: np.ndarray, groups: np.ndarray):
        """(group, cell) pairs for every cell of every given line."""
        lengths = self.ptr[lines + 1] - self.ptr[lines]
        starts = np.repeat(self.ptr[lines] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        return np.repeat(groups, lengths), self.cells[starts + np.arange(lengths.sum())]


def _pick(lines: _Lines, want_lines, groups, counts, suppressed, threshold):
    """For each group, the best eligible cell on its lines; and the groups that have none."""
    n_supp = np.bincount(lines.of[suppressed].ravel(), minlength=len(lines.ptr) - 1)
    # A cell fixing lines that hold one suppressed cell is good; one opening an untouched line costs a cascade.
    effect = np.where(n_supp == 1, 1, np.where(n_supp == 0, -1, 0))
    score = effect[lines.of].sum(axis=1)
    group, cell = lines.members(want_lines, groups)
    # Eligible: not suppressed and at least the threshold, hence never a zero and never a primary cell.
    ok = ~suppressed[cell] & (counts[cell] >= threshold)
    group, cell = group[ok], cell[ok]
    order = np.lexsort((cell, counts[cell], -score[cell], group))
    group, cell = group[order], cell[order]
    first = np.unique(group, return_index=True)[1]
    return np.unique(cell[first]), np.setdiff1d(groups, group)


def _close_single_lines(lines: _Lines, counts, suppressed, threshold) -> np.ndarray:
    """Suppress more cells until no line holds exactly one suppressed cell (it would be its difference)."""
    added = np.zeros(len(counts), dtype=bool)
    while True:
        n_supp = np.bincount(lines.of[suppressed].ravel(), minlength=len(lines.ptr) - 1)
        single = np.flatnonzero(n_supp == 1)
        if single.size == 0:
            return added
        chosen, stuck = _pick(lines, single, single, counts, suppressed, threshold)
        if stuck.size:
            # Cannot happen for consistent counts: a lone suppressed cell always has a non-zero partner.
            raise SuppressionFailed(f"{stuck.size} lines hold one suppressed cell and no candidate")
        suppressed[chosen] = True
        added[chosen] = True


def _widen(lines: _Lines, exposed, counts, suppressed, threshold) -> np.ndarray:
    """New suppressions for exposed cells: on their own lines, else their block's lines, else anywhere."""
    d = lines.of.shape[1]
    chosen, stuck = _pick(lines, lines.of[exposed].ravel(), np.repeat(exposed, d),
                          counts, suppressed, threshold)
    if stuck.size:
        block = components(lines.incidence, suppressed)
        near = np.flatnonzero(np.isin(block, block[stuck]))
        more, _ = _pick(lines, lines.of[near].ravel(), np.zeros(near.size * d, dtype=np.int64),
                        counts, suppressed, threshold)
        if more.size == 0:
            everywhere = np.arange(len(lines.ptr) - 1)
            more, _ = _pick(lines, everywhere, np.zeros_like(everywhere), counts, suppressed, threshold)
        if more.size == 0:
            raise SuppressionFailed(f"{stuck.size} cells stay exposed and no cell is left to suppress; "
                                    "publish fewer dimensions or coarser categories")
        chosen = np.union1d(chosen, more)
    return chosen


def _unprotectable(shape, counts, primary, lower, upper, protection) -> np.ndarray:
    """Primary cells pinned line by line even with every non-zero cell suppressed."""
    # Suppressing more only widens the attacker's set, so the widest set is the full suppression.
    everything = counts > 0
    lo, hi = tighten(shape.incidence, counts, everything, lower, upper)
    return np.flatnonzero(primary & pinned(lo, hi, protection))


def protect(shape: CubeShape, counts: np.ndarray, threshold: int = 10, protection: int = 1,
            reasons_published: bool = False):
    """Primary and secondary suppression masks for a full cube of counts (margins included)."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"threshold {threshold} is below the minimum of {MIN_THRESHOLD}")
    if protection < 1:
        raise ValueError("protection must be at least 1 (no suppressed cell recovered exactly)")
    lines = _Lines(shape)
    primary = (counts >= 1) & (counts < threshold)
    suppressed = primary.copy()
    lower, upper = attacker_bounds(primary, threshold, reasons_published)
    if reasons_published and primary.any():
        # Published reasons bound each cell (1..threshold-1, or >= threshold); some tables then
        # pin a cell whatever else is hidden, e.g. a total of 3 over three non-zero cells.
        stuck = _unprotectable(shape, counts, primary, lower, upper, protection)
        if stuck.size:
            raise SuppressionFailed(f"{stuck.size} primary cells are recoverable from their "
                                    "published reasons whatever else is suppressed; publish "
                                    "without reasons or with coarser categories")
    # Suppressing more only widens what the attacker must allow, so a cell once shown safe stays
    # safe: each audit needs to look only at new suppressions and at cells still exposed.
    check = primary.copy()
    while True:
        check |= _close_single_lines(lines, counts, suppressed, threshold)
        if not check.any():
            break
        exposed = exposed_cells(shape.incidence, counts, suppressed, lower, upper, check, protection)
        if exposed.size == 0:
            break
        chosen = _widen(lines, exposed, counts, suppressed, threshold)
        suppressed[chosen] = True
        check[:] = False
        check[exposed] = True
        check[chosen] = True
    return primary, suppressed & ~primary


def suppress_counts(microdata: pd.DataFrame, dims: list[str], threshold: int = 10, *,
                    levels: dict | None = None, protection: int = 1,
                    reasons_published: bool = False) -> pd.DataFrame:
    """Count microdata over `dims` with all margins and suppress cells so none is small or derivable.

    The `suppression` column reads `suppressed` for every hidden cell. With `reasons_published` it
    says `primary` or `secondary` instead, which tells an attacker that a primary cell is 1 to
    threshold-1 and a secondary one at least threshold; the audit then assumes that knowledge.
    """
    shape, counts = count_cube(microdata, dims, levels)
    primary, secondary = protect(shape, counts, threshold, protection, reasons_published)
    cube = cube_frame(shape, counts, primary, secondary, reasons_published)
    cube.attrs.update(threshold=threshold, protection=protection, rows=len(microdata),
                      cells_primary=int(primary.sum()), cells_secondary=int(secondary.sum()))
    return cube
