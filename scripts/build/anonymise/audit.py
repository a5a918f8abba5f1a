"""The attacker: what the published cells, the additive structure and known bounds reveal about suppressed cells."""

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from scripts.build.anonymise.cube import shape_of_frame

# HiGHS meets constraints to about 1e-7; anything closer than this to an integer counts as that integer.
_EPS = 1e-6


class AuditError(RuntimeError):
    """The attacker's linear programme could not be solved (the published cube is inconsistent)."""


def attacker_bounds(primary: np.ndarray, threshold: int | None, reasons_published: bool = False):
    """Bounds every suppressed cell is known to lie in, given what the release says about it."""
    n = len(primary)
    if threshold is None:
        return np.zeros(n), np.full(n, np.inf)
    # With a threshold the method is public: zeros are always shown, so a suppressed cell is at least 1.
    if not reasons_published:
        return np.ones(n), np.full(n, np.inf)
    # A published reason tells primary cells (1..threshold-1) from secondary ones (never below threshold).
    lower = np.where(primary, 1.0, float(threshold))
    upper = np.where(primary, float(threshold - 1), np.inf)
    return lower, upper


def pinned(lo, hi, protection: int = 1):
    """Whether [lo, hi] holds no more than `protection` integers: the attacker (nearly) knows the cell."""
    return np.floor(hi + _EPS) - np.ceil(lo - _EPS) < protection


def components(incidence: sparse.csr_matrix, suppressed: np.ndarray) -> np.ndarray:
    """Label suppressed cells by the independent block they belong to (-1 for published cells)."""
    cells = np.flatnonzero(suppressed)
    block = incidence[:, cells]
    n_lines = block.shape[0]
    graph = sparse.bmat([[None, block], [block.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    out = np.full(len(suppressed), -1, dtype=np.int64)
    out[cells] = np.unique(labels[n_lines:], return_inverse=True)[1]
    return out


class Programme:
    """The attacker's linear programme over some suppressed cells, all other cells taken as known."""

    def __init__(self, incidence, values, lower, upper, cells, rows=None):
        self.cells = cells
        columns = incidence[:, cells]
        # By default every line touching the cells; fewer lines (a relaxation) may be asked for.
        rows = np.flatnonzero(columns.getnnz(axis=1)) if rows is None else rows
        self.A = columns[rows].tocsr()
        known = np.nan_to_num(values, nan=0.0).astype(float)
        known[cells] = 0.0
        self.b = -(incidence[rows] @ known)
        self.bounds = np.column_stack([lower[cells], upper[cells]])

    def solve(self, c: np.ndarray):
        """Minimise c.x over the feasible set; None when unbounded."""
        res = linprog(c, A_eq=self.A, b_eq=self.b, bounds=self.bounds, method="highs")
        if res.status == 3:
            return None
        if res.status != 0:
            raise AuditError(f"attacker LP failed: {res.message}")
        return res.x

    def unbounded_above(self) -> np.ndarray:
        """Cells with no upper limit, from one LP over the recession cone (scaled so hits reach 1)."""
        free = np.flatnonzero(np.isinf(self.bounds[:, 1]))
        out = np.zeros(len(self.cells), dtype=bool)
        if free.size == 0:
            return out
        m = free.size
        # Variables (d, s): A_free d = 0, d >= 0, 0 <= s <= 1, s <= d; maximise sum(s).
        a_eq = sparse.hstack([self.A[:, free], sparse.csr_matrix((self.A.shape[0], m))])
        eye = sparse.identity(m, format="csr")
        res = linprog(
            np.r_[np.zeros(m), -np.ones(m)],
            A_ub=sparse.hstack([-eye, eye]),
            b_ub=np.zeros(m),
            A_eq=a_eq,
            b_eq=np.zeros(self.A.shape[0]),
            bounds=[(0, None)] * m + [(0, 1)] * m,
            method="highs",
        )
        if res.status != 0:
            raise AuditError(f"recession LP failed: {res.message}")
        out[free] = res.x[m:] > 0.5
        return out


def first_per_block(block: np.ndarray, pending: np.ndarray) -> np.ndarray:
    """One pending variable from each block, so that a summed objective separates into per-cell ones."""
    idx = np.flatnonzero(pending)
    return idx[np.unique(block[idx], return_index=True)[1]]


def exact_ranges(prog: Programme, block: np.ndarray):
    """Exact LP minimum and maximum of every variable, one LP per round for all blocks together."""
    k = len(prog.cells)
    lo, hi = np.full(k, np.nan), np.full(k, np.nan)
    hi[prog.unbounded_above()] = np.inf
    for sign, out, bound in ((1.0, lo, prog.bounds[:, 0]), (-1.0, hi, prog.bounds[:, 1])):
        while np.isnan(out).any():
            pick = first_per_block(block, np.isnan(out))
            c = np.zeros(k)
            c[pick] = sign
            x = prog.solve(c)
            out[pick] = x[pick]
            # A variable seen at its own bound has that bound as its extreme: no LP of its own needed.
            at_bound = np.isnan(out) & (np.abs(x - bound) < 1e-9)
            out[at_bound] = bound[at_bound]
    return lo, hi


def feasible_ranges(
    cube: pd.DataFrame, dims: list[str], threshold: int | None = None, count: str = "count"
) -> pd.DataFrame:
    """Min and max of each suppressed cell consistent with the published cells, sums and known bounds.

    Without `threshold` the attacker knows non-negativity only; with it, also what the method
    implies: hidden cells are never zero, and published reasons bound primary and secondary cells.
    """
    shape, index = shape_of_frame(cube, dims)
    published = np.full(shape.n_cells, np.nan)
    published[index] = cube[count].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    suppressed = np.isnan(published)
    primary = np.zeros(shape.n_cells, dtype=bool)
    reasons = cube.get("suppression", pd.Series(pd.NA, index=cube.index, dtype="str"))
    primary[index] = (reasons == "primary").to_numpy(dtype=bool)
    revealed = bool(reasons.isin(["primary", "secondary"]).any())
    lower, upper = attacker_bounds(primary, threshold, revealed)
    block = components(shape.incidence, suppressed)
    cells = np.flatnonzero(suppressed)
    prog = Programme(shape.incidence, published, lower, upper, cells)
    lo, hi = exact_ranges(prog, block[cells])
    rows = pd.Series(np.arange(len(cube)), index=index).loc[cells].to_numpy()
    out = cube.iloc[rows][[*dims, *(["suppression"] if "suppression" in cube else [])]].copy()
    out["min"], out["max"] = np.round(lo, 6), np.round(hi, 6)
    out["exact"] = pinned(lo, hi)
    return out.reset_index(drop=True)
