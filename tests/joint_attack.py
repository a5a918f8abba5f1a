"""An attacker who reads every published count table at once, with what anyone knows about the counts.

Written independently of the build's code. It reads published tables as a visitor sees them (dimension values
with "Tổng" for totals, a count that is NULL where hidden) and turns knowledge into linear constraints: each
table's totals are the sums of their children; cells of two tables counting the same people are equal; some
cells sum to at most others (accounts are activated after they are registered); some equal a number printed
elsewhere (a procedure list's application counts). Every hidden cell is then bounded by linear programmes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

TOTAL = "Tổng"


class JointAttack:
    """Cells of many published tables, the constraints tying them, and the bounds they give hidden cells."""

    def __init__(self):
        self.keys: list[tuple] = []  # (table, dimension values) per cell
        self.values: list[float] = []
        self.noise: list[int] = []  # the largest perturbation a published value may carry
        self.index: dict[tuple, int] = {}
        self.dims: dict[str, list[str]] = {}
        self.thresholds: dict[str, int] = {}
        self.equalities: list[tuple[dict, float]] = []  # {cell: coefficient} = value
        self.inequalities: list[tuple[dict, float]] = []  # {cell: coefficient} <= value

    def add_table(
        self, name: str, frame: pd.DataFrame, dims: list[str], count: str, threshold: int, noise: int = 0
    ) -> None:
        """A published table; with `noise`, each shown value is the truth give or take that much."""
        self.dims[name], self.thresholds[name] = dims, threshold
        self.noise += [noise] * len(frame)
        frame = frame.reset_index(drop=True)
        first = len(self.keys)
        for row, values in enumerate(frame[dims].astype(str).itertuples(index=False, name=None)):
            self.index[(name, values)] = first + row
            self.keys.append((name, values))
        self.values += frame[count].astype("Float64").to_numpy(dtype=float, na_value=np.nan).tolist()
        position = pd.Series(np.arange(len(frame)) + first, index=pd.MultiIndex.from_frame(frame[dims].astype(str)))
        for d, dim in enumerate(dims):
            others = [x for x in dims if x != dim]
            children = frame[frame[dim].astype(str) != TOTAL]
            groups = children.groupby(others, sort=False) if others else [((), children)]
            for key, group in groups:
                key = key if isinstance(key, tuple) else (key,)
                total = tuple(TOTAL if x == dim else str(key[others.index(x)]) for x in dims)
                terms = {position[total]: 1.0} | {first + int(i): -1.0 for i in group.index}
                self.equalities.append((terms, 0.0))

    def cells(self, table: str, **where) -> list[int]:
        """Cells of a table whose dimensions take the given values (a list means any of them); others total."""
        out = []
        for (name, values), cell in self.index.items():
            if name != table:
                continue
            ok = True
            for dim, value in zip(self.dims[table], values):
                wanted = where.get(dim, TOTAL)
                if value not in (wanted if isinstance(wanted, list) else [wanted]):
                    ok = False
                    break
            if ok:
                out.append(cell)
        return out

    def equal(self, left: list[int], right: list[int]) -> None:
        self.equalities.append(({c: 1.0 for c in left} | {c: -1.0 for c in right}, 0.0))

    def at_most(self, small: list[int], large: list[int]) -> None:
        terms: dict[int, float] = {}
        for c in small:
            terms[c] = terms.get(c, 0.0) + 1.0
        for c in large:
            terms[c] = terms.get(c, 0.0) - 1.0
        self.inequalities.append((terms, 0.0))

    def known(self, cells: list[int], value: float) -> None:
        self.equalities.append(({c: 1.0 for c in cells}, float(value)))

    def _system(self, rows, hidden_index):
        values = np.array(self.values)
        a = sparse.lil_matrix((len(rows), len(hidden_index)))
        b = np.zeros(len(rows))
        for r, (terms, rhs) in enumerate(rows):
            b[r] = rhs
            for cell, coef in terms.items():
                if cell in hidden_index:
                    a[r, hidden_index[cell]] += coef
                else:
                    b[r] -= coef * values[cell]
        return a.tocsr(), b

    def ranges(self, rounds: int = 20) -> pd.DataFrame:
        """Min and max of every hidden cell over all tables published consistently with everything known."""
        values, noise = np.array(self.values), np.array(self.noise)
        hidden = np.isnan(values)
        # Unknowns: the hidden cells, and the true values behind perturbed ones.
        unknown = np.flatnonzero(hidden | (noise > 0))
        index = {c: i for i, c in enumerate(unknown)}
        a_eq, b_eq = self._system(self.equalities, index)
        a_ub, b_ub = self._system(self.inequalities, index) if self.inequalities else (None, None)
        # Zeros are always published, so a hidden count is at least 1; a cap keeps every LP bounded.
        cap = 2 * np.nanmax(values) + 1
        bounds = [(1, cap) if hidden[c] else (max(0.0, values[c] - noise[c]), values[c] + noise[c]) for c in unknown]

        def solve(c):
            result = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            assert result.status == 0, f"the published tables contradict what is known: {result.message}"
            return result.x

        target = hidden[unknown]
        thresholds = np.array([self.thresholds[self.keys[c][0]] for c in unknown])
        low, high = np.full(len(unknown), np.inf), np.full(len(unknown), -np.inf)
        rng = np.random.default_rng(0)
        undecided = target.copy()
        for _ in range(rounds):
            direction = np.where(undecided, rng.normal(size=len(unknown)), 0.0)
            for sign in (1, -1):
                x = solve(sign * direction)
                low, high = np.minimum(low, x), np.maximum(high, x)
            before = undecided.sum()
            undecided = target & _narrow(low, high, thresholds)
            if not undecided.any() or undecided.sum() == before:
                break
        for i in np.flatnonzero(undecided):
            c = np.zeros(len(unknown))
            c[i] = 1
            low[i] = solve(c)[i]
            high[i] = solve(-c)[i]
        cells = unknown[target]
        return pd.DataFrame(
            {
                "table": [self.keys[c][0] for c in cells],
                "cell": [self.keys[c][1] for c in cells],
                "min": np.round(low[target], 6),
                "max": np.round(high[target], 6),
                "threshold": thresholds[target],
            }
        )


def _narrow(low, high, thresholds) -> np.ndarray:
    """Cells the attacker has pinned, or knows to be small: one integer only, or nothing at the threshold."""
    integers = np.floor(high + 1e-6) - np.ceil(low - 1e-6) + 1
    return (integers <= 1) | (high < thresholds - 1e-6)


def disclosed(ranges: pd.DataFrame) -> pd.DataFrame:
    """Hidden cells the attacker recovers exactly or proves small."""
    return ranges[_narrow(ranges["min"].to_numpy(), ranges["max"].to_numpy(), ranges["threshold"].to_numpy())]
