"""How much of a count table suppression hides: the figures the utility targets are set on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scripts.build.anonymise.cube import CubeShape


@dataclass(frozen=True)
class Utility:
    """Shares of a table's non-empty interior cells, and of its persons, that readers cannot see."""

    cells_hidden: float
    persons_hidden: float
    cells: int  # non-empty interior cells

    def meets(self, targets) -> bool:
        return self.cells_hidden <= targets.cells_hidden and self.persons_hidden <= targets.persons_hidden

    def __str__(self) -> str:
        return f"{self.cells_hidden:.1%} of {self.cells:,} cells and {self.persons_hidden:.1%} of persons hidden"


def utility(shape: CubeShape, counts: np.ndarray, hidden: np.ndarray) -> Utility:
    """Hidden share of the non-empty interior cells, and the grand total minus the visible interior cells."""
    interior = (shape.coords != 0).all(axis=1)
    non_empty = interior & (counts > 0)
    total = int(counts[0])
    visible = int(counts[interior & ~hidden].sum())
    return Utility(
        cells_hidden=float((hidden & non_empty).sum() / max(non_empty.sum(), 1)),
        persons_hidden=float((total - visible) / total) if total else 0.0,
        cells=int(non_empty.sum()),
    )
