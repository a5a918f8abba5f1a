"""Cell suppression for count cubes: primary by threshold, secondary until the attacker learns no cell.

Secondary suppression alternates two steps until an audit passes (scripts/build/anonymise/joint.py, here on one
table). First, every line (a total and its children along one dimension) holding exactly one suppressed cell
gets a partner hidden, since a lone hidden cell is the total minus the rest. Then the cells changed since the
last audit are audited (`exposure.exposed_cells`), and each exposed cell gets a partner hidden on one of its
lines, chosen as scripts/build/anonymise/partners.py says. Hiding more only widens the attacker's feasible set, so
cells proven safe stay safe and the loop ends with every suppressed cell proven to take at least
`protection` + 1 integer values."""

import numpy as np
import pandas as pd

from scripts.build.anonymise.audit import attacker_bounds, pinned
from scripts.build.anonymise.cube import CubeShape, count_cube, cube_frame
from scripts.build.anonymise.joint import Block, JointSystem, protect_jointly
from scripts.build.anonymise.partners import COSTS, SuppressionFailed
from scripts.build.anonymise.propagate import tighten

MIN_THRESHOLD = 3

__all__ = ["MIN_THRESHOLD", "SuppressionFailed", "protect", "suppress_counts"]


def _unprotectable(shape, counts, primary, lower, upper, protection) -> np.ndarray:
    """Primary cells pinned line by line even with every non-zero cell suppressed."""
    # Suppressing more only widens the attacker's set, so the widest set is the full suppression.
    everything = counts > 0
    lo, hi = tighten(shape.incidence, counts, everything, lower, upper)
    return np.flatnonzero(primary & pinned(lo, hi, protection))


def protect(
    shape: CubeShape,
    counts: np.ndarray,
    threshold: int = 10,
    protection: int = 1,
    reasons_published: bool = False,
    hidden: np.ndarray | None = None,
    cost: str = "persons",
    secondary_protection: int | None = None,
):
    """Primary and secondary suppression masks for a full cube of counts (margins included).

    Every hidden small cell keeps at least `protection` + 1 possible values; every cell hidden only to
    protect others at least `secondary_protection` + 1 (default: the same).

    `hidden` names cells to hide from the start besides the small ones (those a previous release hid, so
    that suppression patterns stay the same from release to release); zeros are never hidden.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"threshold {threshold} is below the minimum of {MIN_THRESHOLD}")
    if protection < 1:
        raise ValueError("protection must be at least 1 (no suppressed cell recovered exactly)")
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}, not {cost!r}")
    primary = (counts >= 1) & (counts < threshold)
    lower, upper = attacker_bounds(primary, threshold, reasons_published)
    if reasons_published and primary.any():
        # Published reasons bound each cell (1..threshold-1, or >= threshold); some tables then
        # pin a cell whatever else is hidden, e.g. a total of 3 over three non-zero cells.
        stuck = _unprotectable(shape, counts, primary, lower, upper, protection)
        if stuck.size:
            raise SuppressionFailed(
                f"{stuck.size} primary cells are recoverable from their "
                "published reasons whatever else is suppressed; publish "
                "without reasons or with coarser categories"
            )
    start = primary | ((hidden if hidden is not None else False) & (counts > 0))
    block = Block("table", shape, counts, threshold, protection, start, lower, upper, secondary_protection)
    # Suppressing more only widens what the attacker must allow, so a cell once shown safe stays
    # safe: each audit needs to look only at new suppressions and at cells still exposed.
    protect_jointly(JointSystem([block]), cost=cost, audit_all=True)
    return primary, block.hidden & ~primary


def suppress_counts(
    microdata: pd.DataFrame,
    dims: list[str],
    threshold: int = 10,
    *,
    levels: dict | None = None,
    protection: int = 1,
    reasons_published: bool = False,
) -> pd.DataFrame:
    """Count microdata over `dims` with all margins and suppress cells so none is small or derivable.

    The `suppression` column reads `suppressed` for every hidden cell. With `reasons_published` it
    says `primary` or `secondary` instead, which tells an attacker that a primary cell is 1 to
    threshold-1 and a secondary one at least threshold; the audit then assumes that knowledge.
    """
    shape, counts = count_cube(microdata, dims, levels)
    primary, secondary = protect(shape, counts, threshold, protection, reasons_published)
    cube = cube_frame(shape, counts, primary, secondary, reasons_published)
    cube.attrs.update(
        threshold=threshold,
        protection=protection,
        rows=len(microdata),
        cells_primary=int(primary.sum()),
        cells_secondary=int(secondary.sum()),
    )
    return cube
