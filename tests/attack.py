"""An attacker who knows a published count table: how far can each suppressed cell be narrowed down?

Written independently of the suppression code: it only reads the published table (dimension values with
"Tổng" for totals, counts, and the published suppression reason) and solves linear programmes with scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

TOTAL = "Tổng"


def _equations(cube: pd.DataFrame, dims: list[str]) -> list[np.ndarray]:
    """Each equation as [total cell, child cells...] positions: a total equals the sum of its children."""
    position = pd.Series(np.arange(len(cube)), index=pd.MultiIndex.from_frame(cube[dims]))
    equations = []
    for dim in dims:
        others = [d for d in dims if d != dim]
        children = cube[cube[dim] != TOTAL]
        for key, group in children.groupby(others, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            total_key = tuple(TOTAL if d == dim else key[others.index(d)] for d in dims)
            equations.append(np.concatenate(([position[total_key]], group.index.to_numpy())))
    return equations


def feasible_ranges(cube: pd.DataFrame, dims: list[str], count: str, threshold: int) -> pd.DataFrame:
    """Min and max of every suppressed cell consistent with everything published."""
    cube = cube.reset_index(drop=True)
    hidden = cube[count].isna().to_numpy()
    known = cube[count].fillna(0).to_numpy(dtype=float)
    reason = cube["suppression"].fillna("").to_numpy()
    # Zeros are always published, so every hidden cell is at least 1; a published reason narrows it further.
    lower = np.where(reason == "secondary", float(threshold), 1.0)
    upper = np.where(reason == "primary", threshold - 1.0, np.inf)
    equations = [e for e in _equations(cube, dims) if hidden[e].any()]
    # Components of hidden cells linked by equations: each can be solved on its own.
    parent = np.arange(len(cube))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for equation in equations:
        unknown = equation[hidden[equation]]
        for other in unknown[1:]:
            parent[find(other)] = find(unknown[0])
    results = []
    by_component: dict[int, list[np.ndarray]] = {}
    for equation in equations:
        by_component.setdefault(find(equation[hidden[equation]][0]), []).append(equation)
    for eqs in by_component.values():
        cells = sorted({int(c) for e in eqs for c in e if hidden[c]})
        column = {c: i for i, c in enumerate(cells)}
        a = np.zeros((len(eqs), len(cells)))
        b = np.zeros(len(eqs))
        for row, equation in enumerate(eqs):
            signs = np.concatenate(([1.0], -np.ones(len(equation) - 1)))
            for cell, sign in zip(equation, signs):
                if hidden[cell]:
                    a[row, column[int(cell)]] += sign
                else:
                    b[row] -= sign * known[cell]
        bounds = [(lower[c], None if np.isinf(upper[c]) else upper[c]) for c in cells]
        results += _component_ranges(cells, sparse.csr_matrix(a), b, bounds)
    return pd.DataFrame(results, columns=["cell", "min", "max"])


def _integers_between(low: float, high: float) -> float:
    if np.isinf(high):
        return np.inf
    return np.floor(high + 1e-6) - np.ceil(low - 1e-6) + 1


def _solve(objective, a, b, bounds):
    return linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")


def _component_ranges(cells, a, b, bounds, rounds: int = 40):
    """Ranges of one component: random directions show most cells can vary, then exact LPs for the rest.

    Every LP solution is a table the attacker cannot rule out, so a cell seen at two integer values across
    solutions is not recoverable; directions are redrawn over the still-undecided cells until none is left or
    a round decides nothing new.
    """
    rng = np.random.default_rng(0)
    seen_low = np.full(len(cells), np.inf)
    seen_high = np.full(len(cells), -np.inf)
    undecided = np.ones(len(cells), dtype=bool)
    for _ in range(rounds):
        before = undecided.sum()
        direction = np.where(undecided, rng.normal(size=len(cells)), 0.0)
        for sign in (1, -1):
            result = _solve(sign * direction, a, b, bounds)
            if result.status == 0:
                seen_low = np.minimum(seen_low, result.x)
                seen_high = np.maximum(seen_high, result.x)
        undecided = np.array([_integers_between(lo, hi) <= 1 for lo, hi in zip(seen_low, seen_high)])
        if not undecided.any() or undecided.sum() == before:
            break
    results = []
    for i, cell in enumerate(cells):
        if not undecided[i]:
            results.append((cell, seen_low[i], seen_high[i]))  # two feasible tables differ here
            continue
        objective = np.zeros(len(cells))
        objective[i] = 1
        low, high = _solve(objective, a, b, bounds), _solve(-objective, a, b, bounds)
        assert low.status == 0, f"the published table is inconsistent: {low.message}"
        results.append((cell, low.fun, np.inf if high.status == 3 else -high.fun))
    return results


def exactly_recoverable(cube: pd.DataFrame, dims: list[str], count: str, threshold: int) -> pd.DataFrame:
    """The suppressed cells whose value the attacker can work out exactly."""
    ranges = feasible_ranges(cube, dims, count, threshold)
    # Counts are whole numbers: a range holding a single integer gives the cell away.
    return ranges[[_integers_between(low, high) <= 1 for low, high in zip(ranges["min"], ranges["max"])]]
