"""Which cells to hide next: partners for lone suppressed cells on a line, and for cells the audit exposed.

A partner is never zero and never small (so every hidden cell is at least 1, and a secondary cell at least
the threshold). Among the eligible cells of a line, the choice minimises a cost, as tau-Argus does: by default
the persons it hides (its count), so that secondary suppression hides as few people as it can; with
cost="cells" it prefers cells that also close other lone-cell lines and open no untouched line, which hides
fewer cells but often larger ones.
"""

import numpy as np

from scripts.build.anonymise.audit import components
from scripts.build.anonymise.cube import CubeShape

COSTS = ("persons", "cells")


class SuppressionFailed(RuntimeError):
    """No further cell can be suppressed, yet some suppressed cell is still exposed."""


class Lines:
    """Members of every line of one cube, for picking candidate cells line by line."""

    def __init__(self, shape: CubeShape):
        self.of = shape.lines
        self.incidence = shape.incidence
        flat = self.of.ravel()
        order = np.argsort(flat, kind="stable")
        self.cells = np.repeat(np.arange(shape.n_cells), self.of.shape[1])[order]
        self.ptr = np.r_[0, np.cumsum(np.bincount(flat, minlength=shape.n_lines))]

    @property
    def n_lines(self) -> int:
        return len(self.ptr) - 1

    def members(self, lines: np.ndarray, groups: np.ndarray):
        """(group, cell) pairs for every cell of every given line."""
        lengths = self.ptr[lines + 1] - self.ptr[lines]
        starts = np.repeat(self.ptr[lines] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        return np.repeat(groups, lengths), self.cells[starts + np.arange(lengths.sum())]


def _pick(lines: Lines, want_lines, groups, counts, suppressed, threshold, cost: str):
    """For each group, the cheapest eligible cell on its lines; and the groups that have none."""
    n_supp = np.bincount(lines.of[suppressed].ravel(), minlength=lines.n_lines)
    # A cell fixing lines that hold one suppressed cell is good; one opening an untouched line costs a cascade.
    effect = np.where(n_supp == 1, 1, np.where(n_supp == 0, -1, 0))
    score = effect[lines.of].sum(axis=1)
    group, cell = lines.members(want_lines, groups)
    # Eligible: not suppressed and at least the threshold, hence never a zero and never a primary cell; never
    # the grand total (cell 0), which the disclosure report publishes as the records counted.
    ok = ~suppressed[cell] & (counts[cell] >= threshold) & (cell != 0)
    group, cell = group[ok], cell[ok]
    if cost == "persons":
        # The persons a cell hides, halved for each lone-cell line it also closes and doubled for each untouched
        # line it opens: a cheap cell that starts a cascade is not cheap.
        weighted = counts[cell] * np.exp2(-score[cell].astype(float))
        order = np.lexsort((cell, -score[cell], weighted, group))
    else:
        order = np.lexsort((cell, counts[cell], -score[cell], group))
    group, cell = group[order], cell[order]
    first = np.unique(group, return_index=True)[1]
    return np.unique(cell[first]), np.setdiff1d(groups, group)


def close_single_lines(lines: Lines, counts, suppressed, threshold, cost: str = "persons") -> np.ndarray:
    """Suppress more cells until no line holds exactly one suppressed cell (it would be its difference)."""
    added = np.zeros(len(counts), dtype=bool)
    while True:
        n_supp = np.bincount(lines.of[suppressed].ravel(), minlength=lines.n_lines)
        single = np.flatnonzero(n_supp == 1)
        if single.size == 0:
            return added
        chosen, stuck = _pick(lines, single, single, counts, suppressed, threshold, cost)
        if stuck.size:
            # Cannot happen for consistent counts: a lone suppressed cell always has a non-zero partner.
            raise SuppressionFailed(f"{stuck.size} lines hold one suppressed cell and no candidate")
        suppressed[chosen] = True
        added[chosen] = True


def widen(lines: Lines, exposed, counts, suppressed, threshold, cost: str = "persons") -> np.ndarray:
    """New suppressions for exposed cells: on their own lines, else their block's lines, else anywhere."""
    d = lines.of.shape[1]
    chosen, stuck = _pick(lines, lines.of[exposed].ravel(), np.repeat(exposed, d), counts, suppressed, threshold, cost)
    if stuck.size:
        block = components(lines.incidence, suppressed)
        near = np.flatnonzero(np.isin(block, block[stuck]))
        more, _ = _pick(
            lines, lines.of[near].ravel(), np.zeros(near.size * d, dtype=np.int64), counts, suppressed, threshold, cost
        )
        if more.size == 0:
            everywhere = np.arange(lines.n_lines)
            more, _ = _pick(lines, everywhere, np.zeros_like(everywhere), counts, suppressed, threshold, cost)
        if more.size == 0:
            raise SuppressionFailed(
                f"{stuck.size} cells stay exposed and no cell is left to suppress; "
                "publish fewer dimensions or coarser categories"
            )
        chosen = np.union1d(chosen, more)
    return chosen
