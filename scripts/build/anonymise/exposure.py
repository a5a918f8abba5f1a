"""Which suppressed cells the attacker may pin down, decided fast enough to run after every change.

Cells pinned by line-by-line bounds are exposed outright. For the others, any solution of the
attacker's LP is a table the attacker cannot rule out, a witness: a cell seen at values spanning
more than `protection` integers across witnesses is proven safe, however the LPs were steered.
Cells that random directions leave undecided are settled by their exact LP extremes. The exact
per-cell ranges of a published table are `feasible_ranges`.
"""

import numpy as np

from scripts.build.anonymise.audit import Programme, components, first_per_block, pinned
from scripts.build.anonymise.propagate import tighten

# Rounds of random objectives after the first; the search stops earlier once a round settles no
# further cell, and the cells left are then treated as exposed.
_MAX_ROUNDS = 25


def exposed_cells(incidence, truth, suppressed, lower, upper, check, protection: int = 1, seed: int = 0):
    """Suppressed cells among `check` not proven to span more than `protection` integer values."""
    todo = np.flatnonzero(check & suppressed)
    if todo.size == 0:
        return todo
    # One protection for all cells, or one per cell when tables with different thresholds are audited together.
    protection = np.broadcast_to(np.asarray(protection), truth.shape)
    # Bounds implied line by line are known to the attacker too: cells they pin need no LP.
    lower, upper = tighten(incidence, truth, suppressed, lower, upper)
    exposed = todo[pinned(lower[todo], upper[todo], protection[todo])]
    todo = np.setdiff1d(todo, exposed)
    if todo.size == 0:
        return exposed
    # A cap above every true value keeps every LP bounded; a smaller attacker's set only makes
    # the proofs harder, so it can cost extra suppression but never safety.
    cap = 2.0 * truth.max() + np.max(upper[np.isfinite(upper)], initial=0.0) + 1.0
    block = components(incidence, suppressed)
    # Only the blocks holding cells to check: the others share no line with them.
    cells = np.flatnonzero(np.isin(block, block[todo]) & suppressed)
    prog = Programme(incidence, truth, lower, np.minimum(upper, cap), cells)
    # The true table is itself a feasible point.
    seen_lo, seen_hi = truth[cells].astype(float), truth[cells].astype(float)
    target = np.isin(cells, todo)
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(cells.size)
    for round_ in range(_MAX_ROUNDS + 1):
        for x in (prog.solve(c), prog.solve(-c)):
            np.minimum(seen_lo, x, out=seen_lo)
            np.maximum(seen_hi, x, out=seen_hi)
        still = target & pinned(seen_lo, seen_hi, protection[cells])
        if not still.any() or (round_ and still.sum() == target.sum()):
            break
        target = still
        # Random directions over the undecided cells only, so that every LP works for them.
        c = np.where(target, rng.standard_normal(cells.size), 0.0)
    if still.any():
        still = _settle_exactly(prog, block[cells], still, seen_lo, seen_hi, protection[cells])
    return np.union1d(exposed, cells[still])


def _settle_exactly(prog: Programme, block, pending, seen_lo, seen_hi, protection) -> np.ndarray:
    """The cells witnesses left undecided, decided by their exact extremes: one cell per block per LP.

    Random directions rarely push a cell to its extremes, and a wide protection asks for its whole range:
    without this, safe cells would be reported exposed and more would be hidden than needed.
    """
    for sign in (1.0, -1.0):
        todo = pending.copy()
        # All undecided cells pushed the same way at once settles most of them; the rest get an LP each.
        while todo.any():
            before = todo.sum()
            _widen_seen(prog.solve(np.where(todo, sign, 0.0)), seen_lo, seen_hi)
            todo &= pinned(seen_lo, seen_hi, protection)
            if todo.sum() == before:
                break
        while todo.any():
            pick = first_per_block(block, todo)
            c = np.zeros(len(prog.cells))
            c[pick] = sign
            _widen_seen(prog.solve(c), seen_lo, seen_hi)
            todo[pick] = False
            todo &= pinned(seen_lo, seen_hi, protection)
    return pending & pinned(seen_lo, seen_hi, protection)


def _widen_seen(x, seen_lo, seen_hi) -> None:
    np.minimum(seen_lo, x, out=seen_lo)
    np.maximum(seen_hi, x, out=seen_hi)
