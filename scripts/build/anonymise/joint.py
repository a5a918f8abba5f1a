"""Suppression audited across every published table at once, with the facts anyone knows about the counts.

Each table is a block of cells with its own lines (a total equals the sum of its children). The joint system
adds rows that link blocks (the same people counted in two tables), rows for declared facts (equal counts;
inequalities through a slack variable that is never published) and published numbers from elsewhere (as
constants). The attacker's LP runs over all of it, and each exposed cell gets a partner hidden in its own
table, until no hidden cell of any table is pinned to fewer than its table's `protection` + 1 values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from scripts.build.anonymise.audit import attacker_bounds, components
from scripts.build.anonymise.cube import CubeShape
from scripts.build.anonymise.exposure import exposed_cells
from scripts.build.anonymise.partners import Lines, SuppressionFailed, close_single_lines, widen


@dataclass
class Block:
    """One published count table: its cube, its rule, and the cells hidden so far (primary ones included)."""

    name: str
    shape: CubeShape
    counts: np.ndarray
    threshold: int
    protection: int  # how many values each hidden small cell must be able to take beyond one
    hidden: np.ndarray
    lower: np.ndarray | None = None  # what the attacker knows of each hidden cell; default: at least 1
    upper: np.ndarray | None = None
    secondary_protection: int | None = None  # the same for cells hidden only to protect others; default: as above

    def __post_init__(self):
        if self.lower is None:
            self.lower, self.upper = attacker_bounds(self.hidden, self.threshold)

    def protections(self) -> np.ndarray:
        """Per cell: a small cell must stay in a wide interval; a large one hidden to protect it must not be exact."""
        small = (self.counts >= 1) & (self.counts < self.threshold)
        secondary = self.protection if self.secondary_protection is None else self.secondary_protection
        return np.where(small, self.protection, secondary)


@dataclass
class JointSystem:
    """Blocks plus the linear facts that tie their cells together."""

    blocks: list[Block]
    rows: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (variables, coefficients) = 0
    extra_truth: list[float] = field(default_factory=list)
    extra_hidden: list[bool] = field(default_factory=list)

    @property
    def offsets(self) -> np.ndarray:
        return np.cumsum([0] + [b.shape.n_cells for b in self.blocks])

    def variable(self, block: int, cell) -> np.ndarray:
        """Joint index of cells of one block."""
        return self.offsets[block] + np.asarray(cell, dtype=np.int64)

    def _extra(self, truth: float, hidden: bool) -> int:
        self.extra_truth.append(float(truth))
        self.extra_hidden.append(hidden)
        return int(self.offsets[-1]) + len(self.extra_truth) - 1

    def truth(self) -> np.ndarray:
        return np.concatenate([b.counts for b in self.blocks] + [np.array(self.extra_truth)]).astype(float)

    def equal(self, left, right) -> None:
        """The cells `left` sum to the same as the cells `right`."""
        left, right = np.atleast_1d(left), np.atleast_1d(right)
        self.rows.append((np.r_[left, right], np.r_[np.ones(left.size), -np.ones(right.size)]))

    def at_most(self, small, large) -> None:
        """The cells `small` sum to at most the cells `large`: their difference is a hidden slack >= 0."""
        small, large = np.atleast_1d(small), np.atleast_1d(large)
        truth = self.truth()
        slack = self._extra(truth[large].sum() - truth[small].sum(), hidden=True)
        self.rows.append((np.r_[large, small, slack], np.r_[np.ones(large.size), -np.ones(small.size), -1.0]))

    def at_least(self, cells, value: float) -> None:
        """The cells sum to at least a number published elsewhere."""
        self.at_most(self._extra(value, hidden=False), cells)

    def known(self, cells, value: float) -> None:
        """The cells sum to a number published elsewhere."""
        constant = self._extra(value, hidden=False)
        cells = np.atleast_1d(cells)
        self.rows.append((np.r_[cells, constant], np.r_[np.ones(cells.size), -1.0]))

    def incidence(self) -> sparse.csr_matrix:
        n = int(self.offsets[-1]) + len(self.extra_truth)
        own = sparse.block_diag([b.shape.incidence for b in self.blocks], format="csr")
        own = sparse.hstack([own, sparse.csr_matrix((own.shape[0], len(self.extra_truth)))], format="csr")
        if not self.rows:
            return own
        row = np.concatenate([np.full(len(v), i) for i, (v, _) in enumerate(self.rows)])
        col = np.concatenate([v for v, _ in self.rows])
        val = np.concatenate([c for _, c in self.rows])
        linked = sparse.csr_matrix((val, (row, col)), shape=(len(self.rows), n))
        return sparse.vstack([own, linked], format="csr")


def _linked_cells(system: JointSystem, incidence, suppressed) -> np.ndarray:
    """Hidden cells whose attacker's LP reaches a link or a fact: only those can be exposed by them."""
    if not system.rows:
        return np.zeros(len(suppressed), dtype=bool)
    block = components(incidence, suppressed)
    touched = np.unique(np.concatenate([v for v, _ in system.rows]))
    labels = block[touched]
    return suppressed & np.isin(block, labels[labels >= 0])


def _across_links(rows: sparse.csc_matrix, suppressed, exposed, truth, eligible) -> tuple[np.ndarray, np.ndarray]:
    """For each link or fact row holding an exposed cell, its smallest published eligible cell, in whatever table;
    and which exposed cells such a row serves."""
    held = rows[:, exposed].tocoo()  # (row, position in `exposed`) for every exposed cell in a row
    touched = np.unique(held.row)
    entries = rows.tocsr()[touched].tocoo()
    ok = ~suppressed[entries.col] & eligible[entries.col]
    row, col = touched[entries.row[ok]], entries.col[ok]
    order = np.lexsort((truth[col], row))
    row, col = row[order], col[order]
    first = np.unique(row, return_index=True)[1]
    served = np.zeros(len(exposed), dtype=bool)
    served[held.col[np.isin(held.row, row[first])]] = True
    return np.unique(col[first]), served


def _reaching(system: JointSystem, incidence, suppressed, exposed, truth, eligible) -> np.ndarray:
    """The smallest published eligible cell of each row reaching the exposed cells' part of the attacker's LP."""
    block = components(incidence, suppressed)
    reached = np.unique(block[exposed])
    chosen = []
    for variables, _ in system.rows:
        if not np.isin(block[variables], reached).any():
            continue
        candidates = variables[~suppressed[variables] & eligible[variables]]
        if candidates.size:
            chosen.append(candidates[np.argmin(truth[candidates])])
    return np.unique(np.array(chosen, dtype=np.int64))


def protect_jointly(system: JointSystem, cost: str = "persons", audit_all: bool = False) -> None:
    """Hide more cells in the blocks until no hidden cell is pinned by anything published; updates `hidden`.

    With `audit_all` every hidden cell is audited; otherwise only those the links and facts can reach,
    each block having already been protected on its own.
    """
    blocks, offsets = system.blocks, system.offsets
    n_extra = len(system.extra_truth)
    truth = system.truth()
    incidence = system.incidence()
    suppressed = np.concatenate([b.hidden for b in blocks] + [np.array(system.extra_hidden, dtype=bool)])
    lower = np.concatenate([b.lower for b in blocks] + [np.zeros(n_extra)])
    upper = np.concatenate([b.upper for b in blocks] + [np.full(n_extra, np.inf)])
    protection = np.concatenate([b.protections() for b in blocks] + [np.zeros(n_extra)])
    real = np.r_[np.ones(offsets[-1], dtype=bool), np.zeros(n_extra, dtype=bool)]
    lines = [Lines(b.shape) for b in blocks]
    views = [suppressed[offsets[i] : offsets[i + 1]] for i in range(len(blocks))]
    check = real & (suppressed if audit_all else _linked_cells(system, incidence, suppressed))
    # A partner is never small: at least its table's threshold (so never zero and never a primary cell).
    # Nor a grand total: the disclosure report publishes the records counted.
    eligible = real & (
        truth >= np.concatenate([np.full(b.shape.n_cells, b.threshold) for b in blocks] + [np.full(n_extra, np.inf)])
    )
    eligible[offsets[:-1]] = False
    extra_rows = incidence[incidence.shape[0] - len(system.rows) :].tocsc()
    while True:
        for i, block in enumerate(blocks):
            added = close_single_lines(lines[i], block.counts, views[i], block.threshold, cost)
            check[offsets[i] : offsets[i + 1]] |= added
        if not check.any():
            break
        exposed = exposed_cells(incidence, truth, suppressed, lower, upper, check, protection)
        if exposed.size == 0:
            break
        check[:] = False
        check[exposed] = True
        # A cell pinned through a link or a fact is freed by hiding the row's published cell, in whatever table;
        # only cells no such row can free get partners on their own table's lines.
        linked, served = _across_links(extra_rows, suppressed, exposed, truth, eligible)
        suppressed[linked] = True
        check[linked] = True
        for i, block in enumerate(blocks):
            mine = exposed[~served & (exposed >= offsets[i]) & (exposed < offsets[i + 1])] - offsets[i]
            if not mine.size:
                continue
            try:
                chosen = offsets[i] + widen(lines[i], mine, block.counts, views[i], block.threshold, cost)
            except SuppressionFailed:
                # Nothing left to hide in its own table: what pins it is published in a linked one.
                chosen = _reaching(system, incidence, suppressed, offsets[i] + mine, truth, eligible)
                if chosen.size == 0:
                    raise
            suppressed[chosen] = True
            check[chosen] = True
    for i, block in enumerate(blocks):
        block.hidden = views[i].copy()
