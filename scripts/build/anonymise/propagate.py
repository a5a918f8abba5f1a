"""The attacker with pencil and paper: integer bounds implied line by line, repeated until nothing changes."""

import numpy as np

from scripts.build.anonymise.audit import AuditError

_EPS = 1e-6
# Each pass is one sweep over every line; long chains may want more, and stopping early stays sound.
_MAX_PASSES = 60


def _others(line, part, n_lines):
    """For each entry, the sum of the other entries of its line (+-inf when an other one is infinite)."""
    finite = np.isfinite(part)
    total = np.bincount(line, np.where(finite, part, 0.0), n_lines)
    infinite = np.bincount(line, ~finite, n_lines)
    rest = total[line] - np.where(finite, part, 0.0)
    return np.where(infinite[line] - ~finite > 0, np.nan, rest)


def tighten(incidence, values, suppressed, lower, upper):
    """Bounds for every suppressed cell implied by each line's sum, its published cells and integrality."""
    coo = incidence.tocoo()
    line, cell, a = coo.row, coo.col, coo.data
    n_lines = incidence.shape[0]
    known = ~suppressed[cell]
    rhs = -np.bincount(line[known], a[known] * values[cell[known]], n_lines)
    line, cell, a = line[~known], cell[~known], a[~known]
    lo, hi = lower.astype(float).copy(), upper.astype(float).copy()
    for _ in range(_MAX_PASSES):
        # Bounds of a*x per entry, then of the rest of the line: a*x = rhs - rest.
        a_lo = np.where(a > 0, lo[cell], -hi[cell])
        a_hi = np.where(a > 0, hi[cell], -lo[cell])
        rest_lo = np.nan_to_num(_others(line, a_lo, n_lines), nan=-np.inf)
        rest_hi = np.nan_to_num(_others(line, a_hi, n_lines), nan=np.inf)
        ax_lo, ax_hi = rhs[line] - rest_hi, rhs[line] - rest_lo
        new_lo, new_hi = lo.copy(), hi.copy()
        np.maximum.at(new_lo, cell, np.where(a > 0, ax_lo, -ax_hi))
        np.minimum.at(new_hi, cell, np.where(a > 0, ax_hi, -ax_lo))
        # Counts are integers, which is what makes a chain of half-known sums collapse.
        new_lo, new_hi = np.ceil(new_lo - _EPS), np.floor(new_hi + _EPS)
        if np.any(new_lo[suppressed] > new_hi[suppressed]):
            raise AuditError("the published cube contradicts its own sums")
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            break
        lo, hi = new_lo, new_hi
    return lo, hi
