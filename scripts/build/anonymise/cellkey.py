"""The cell key method: small, repeatable noise on published counts, so overlapping tables cannot be differenced.

Every person gets a record key, a uniform number in [0, 1) fixed by a keyed hash of their identifier, so the
same person has the same key in every table and release. A cell's key is the sum of the record keys of its
records modulo 1, and a perturbation table (ptable) turns the cell's count and key into a small integer added
to the count. Cells holding the same records therefore get the same noise in every table that shows them, and
subtracting one published table from another reveals noise, not a person.

Margins ("Tổng") are perturbed on their own from their own cell key, as the ABS TableBuilder does, not re-added
from perturbed children: a published table is unbiased cell by cell but its cells need not add up to its totals.

The ptable has one row per original count 0..cap (larger counts use the cap's row) and one column per
perturbation -D..D. Each row is the maximum-entropy distribution that keeps zero at zero, never publishes a
count from 1 to js-1, never moves a count by more than D, has mean 0, and has variance V. Rows close to the
blocked counts cannot carry variance V unbiasedly (count 1 with js=3, D=2 can only become 0 or 3, which forces
variance 2); such a row takes the variance nearest to V that it can carry, its only unbiased distribution.
With js > D the row of count js cannot move down, so unbiasedness keeps it unperturbed.

Cell keys are computed in integers (53-bit record keys summed modulo 2**64), so a cell's key is exactly the
same whatever the order of its records or the table it appears in.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator
from scipy.optimize import linprog, minimize, root
from scipy.special import logsumexp, softmax

from scripts.build.anonymise.cube import _levels_of, count_cube
from scripts.build.anonymise.pseudonym import MIN_KEY_BYTES, PSEUDONYM_BYTES, PseudonymKeyMissing, _keyed_mac
from scripts.build.spec.manifest import Strict

# Record keys are multiples of 2**-53: exactly representable as floats and exactly summable as integers.
KEY_BITS = 53
KEY_SCALE = float(2**KEY_BITS)
_KEY_MASK = np.uint64(2**KEY_BITS - 1)
# The record key must not be computable from a published pseudonym made with the same secret, so the
# secret is first bound to this purpose.
_DOMAIN = b"portal cell key method: record key v1"
# A variance this close to the least or greatest a row can carry counts as that bound.
_BOUND_TOLERANCE = 1e-9


def record_keys(ids: pd.Series, key: bytes) -> np.ndarray:
    """The record key of each identifier: a uniform number in [0, 1) from HMAC-SHA256 under the secret."""
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyMissing(f"a cell key secret must be at least {MIN_KEY_BYTES} bytes")
    # Normalised like pseudonyms, so an identifier keeps its key however the source spells its spaces.
    text = ids.astype("string").str.strip().str.normalize("NFC")
    if text.isna().any() or (text == "").any():
        raise ValueError("every record needs an identifier for its record key; some are missing or empty")
    mac = _keyed_mac(hmac.digest(key, _DOMAIN, "sha256"))
    digests = np.frombuffer(b"".join(map(mac, text.tolist())), dtype=">u8").reshape(len(text), PSEUDONYM_BYTES // 8)
    return (digests[:, 0] >> np.uint64(64 - KEY_BITS)).astype(np.float64) / KEY_SCALE


def cell_keys(microdata: pd.DataFrame, dims: list[str], record_keys: np.ndarray, levels: dict | None = None):
    """The key of every cell of count_cube(microdata, dims, levels), margins included, in the same C order."""
    keys = np.asarray(record_keys, dtype=np.float64)
    if keys.shape != (len(microdata),):
        raise ValueError(f"need one record key per record: {len(microdata)} records, keys of shape {keys.shape}")
    if not ((keys >= 0) & (keys < 1)).all():
        raise ValueError("record keys must lie in [0, 1)")
    # The cube's own shape, so that any problem with dims or levels is reported exactly as for the counts.
    shape, _ = count_cube(microdata, dims, levels)
    levels = levels or {}
    flat, stride = np.zeros(len(microdata), dtype=np.int64), 1
    for i in reversed(range(len(dims))):
        categories = _levels_of(microdata[dims[i]], levels.get(dims[i]))
        flat += (pd.Index(list(categories)).get_indexer(microdata[dims[i]]).astype(np.int64) + 1) * stride
        stride *= shape.sizes[i]
    units = np.floor(keys * KEY_SCALE).astype(np.uint64)
    sums = np.zeros(shape.n_cells, dtype=np.uint64)
    np.add.at(sums, flat, units)
    cube = sums.reshape(shape.sizes)
    # Unsigned sums wrap modulo 2**64, a multiple of 2**53, so margins are exact sums modulo 1 like the cells.
    for axis in range(len(dims)):
        head = (slice(None),) * axis
        cube[head + (0,)] = cube[head + (slice(1, None),)].sum(axis=axis, dtype=np.uint64)
    return (cube.ravel() & _KEY_MASK).astype(np.float64) / KEY_SCALE


def _allowed(count: int, perturbations: np.ndarray, js: int) -> np.ndarray:
    """Which perturbations of `count` give a publishable value: zero stays zero, and 1..js-1 never appear."""
    if count == 0:
        return perturbations == 0
    target = count + perturbations
    return (target == 0) | (target >= js)


def _extreme_variance(support: np.ndarray, sign: int) -> np.ndarray:
    """The unbiased distribution on `support` of least (sign 1) or greatest (sign -1) variance."""
    result = linprog(
        sign * support**2.0,
        A_eq=np.vstack([np.ones_like(support), support]),
        b_eq=[1.0, 0.0],
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        raise ValueError(f"no unbiased perturbation exists on {support.tolist()}")
    # An optimum rests on at most two points (a line meets a parabola twice), where mean 0 fixes it exactly.
    points = support[result.x > _BOUND_TOLERANCE]
    p = np.zeros(len(support))
    if len(points) == 1:
        p[support == points[0]] = 1.0
    else:
        low, high = points.min(), points.max()
        p[support == low], p[support == high] = high / (high - low), -low / (high - low)
    return p


def _max_entropy(support: np.ndarray, variance: float) -> np.ndarray:
    """The maximum-entropy distribution on `support` with mean 0 and the given variance (strictly inside its range)."""
    features = np.vstack([support, support**2.0])
    target = np.array([0.0, variance])

    # The dual of maximum entropy under moment constraints: p is proportional to exp(a*d + b*d**2).
    def dual(lam):
        return logsumexp(lam @ features) - lam @ target

    def gradient(lam):
        return features @ softmax(lam @ features) - target

    def hessian(lam):
        p = softmax(lam @ features)
        mean = features @ p
        return (features * p) @ features.T - np.outer(mean, mean)

    # Newton with line search finds the optimum from anywhere; solving gradient = 0 then refines it to rounding error.
    start = minimize(dual, np.zeros(2), jac=gradient, hess=hessian, method="Newton-CG").x
    solution = root(gradient, start, jac=hessian, method="hybr")
    p = softmax((solution.x if solution.success else start) @ features)
    # A last least-squares step puts the three linear constraints right to rounding error.
    constraints = np.vstack([np.ones_like(support), features])
    residual = constraints @ p - np.array([1.0, 0.0, variance])
    return p - constraints.T @ np.linalg.solve(constraints @ constraints.T, residual)


@dataclass(frozen=True, eq=False)
class PTable:
    """Perturbation probabilities: row i for original count i (the last row for larger counts), column per -D..D."""

    max_perturbation: int
    variance: float
    js: int
    probabilities: np.ndarray

    @classmethod
    def build(cls, max_perturbation: int = 2, variance: float = 1.0, js: int = 1) -> PTable:
        """The maximum-entropy ptable for maximum perturbation D, variance V and least published positive js."""
        if max_perturbation < 1 or js < 1:
            raise ValueError("the maximum perturbation and js must be at least 1")
        if not 0 < variance <= max_perturbation**2:
            raise ValueError(
                f"the variance must be in (0, {max_perturbation**2}] for a maximum perturbation of "
                f"{max_perturbation}, got {variance}"
            )
        if js > max_perturbation + 1:
            raise ValueError(
                f"js={js} cannot exceed maximum perturbation + 1 = {max_perturbation + 1}: a count "
                "below js could then reach neither zero nor js"
            )
        perturbations = np.arange(-max_perturbation, max_perturbation + 1)
        # From count js + D on every perturbation is allowed, so all larger counts share that row.
        cap = js + max_perturbation
        rows = np.zeros((cap + 1, len(perturbations)))
        for count in range(cap + 1):
            allowed = _allowed(count, perturbations, js)
            support = perturbations[allowed].astype(np.float64)
            least, most = _extreme_variance(support, 1), _extreme_variance(support, -1)
            lowest, highest = least @ support**2, most @ support**2
            if variance <= lowest + _BOUND_TOLERANCE:
                rows[count, allowed] = least
            elif variance >= highest - _BOUND_TOLERANCE:
                rows[count, allowed] = most
            else:
                rows[count, allowed] = _max_entropy(support, variance)
        rows.setflags(write=False)
        return cls(max_perturbation, variance, js, rows)

    @property
    def perturbations(self) -> np.ndarray:
        return np.arange(-self.max_perturbation, self.max_perturbation + 1)

    @property
    def cap(self) -> int:
        """The largest count with a row of its own."""
        return len(self.probabilities) - 1

    @property
    def row_means(self) -> np.ndarray:
        return self.probabilities @ self.perturbations

    @property
    def row_variances(self) -> np.ndarray:
        """The variance of each row: V, except for rows too close to the blocked counts to carry it."""
        return self.probabilities @ self.perturbations**2.0 - self.row_means**2

    @cached_property
    def cumulative(self) -> np.ndarray:
        """Each row's CDF, exactly 1 from its last possible perturbation on, so that no key picks an impossible one."""
        cumulative = np.cumsum(self.probabilities, axis=1)
        for row, p in enumerate(self.probabilities):
            cumulative[row, np.flatnonzero(p > 0)[-1] :] = 1.0
        return cumulative


def perturb(counts: np.ndarray, cell_keys: np.ndarray, ptable: PTable) -> np.ndarray:
    """The published counts: each count plus the perturbation its cell key picks from its ptable row by inverse CDF."""
    counts, keys = np.asarray(counts), np.asarray(cell_keys, dtype=np.float64)
    if counts.shape != keys.shape:
        raise ValueError(f"counts of shape {counts.shape} and cell keys of shape {keys.shape} do not align")
    if not np.issubdtype(counts.dtype, np.integer) or (counts < 0).any():
        raise ValueError("counts must be non-negative integers")
    if not ((keys >= 0) & (keys < 1)).all():
        raise ValueError("cell keys must lie in [0, 1)")
    rows = ptable.cumulative[np.minimum(counts, ptable.cap)]
    # The first perturbation whose cumulative probability exceeds the key.
    picked = (rows <= keys[..., None]).sum(axis=-1)
    return counts + ptable.perturbations[picked]


class CellKeyParameters(Strict):
    """How a table declares cell key perturbation: `perturbation: {method: cell_key, max: 2, variance: 1.0, js: 3}`."""

    method: Literal["cell_key"]
    max: int = Field(ge=1, strict=True)  # D, the largest change to any count
    variance: float = Field(gt=0, strict=True, allow_inf_nan=False)
    js: int = Field(default=1, ge=1, strict=True)  # smallest positive count that may be published
    identifier: str | None = None  # the source column naming the person; default: its only direct identifier

    @field_validator("variance")
    @classmethod
    def _variance_within_reach(cls, variance: float, info: ValidationInfo) -> float:
        limit = info.data.get("max")
        if limit is not None and variance > limit**2:
            raise ValueError(f"a variance of {variance} needs perturbations beyond max={limit}; at most {limit**2}")
        return variance

    @field_validator("js")
    @classmethod
    def _js_within_reach(cls, js: int, info: ValidationInfo) -> int:
        limit = info.data.get("max")
        if limit is not None and js > limit + 1:
            raise ValueError(f"js={js} needs max of at least {js - 1}, so that small counts can reach 0 or js")
        return js

    def ptable(self) -> PTable:
        return PTable.build(self.max, self.variance, self.js)
