"""The count cube: every cell of a cross-tabulation together with all of its marginal subtotals."""

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from plugins.portal_site.contract import MARGIN

# The label of a subtotal along a dimension; Vietnamese because it is published as-is.
TOTAL = MARGIN


@dataclass(frozen=True)
class CubeShape:
    """Dimension names and categories, and the index arithmetic of the cube they span."""

    dims: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Extent of each dimension, the total (code 0) included."""
        return tuple(len(level) + 1 for level in self.levels)

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.sizes))

    @cached_property
    def coords(self) -> np.ndarray:
        """Cell codes, one row per cell in C order; code 0 is the total of that dimension."""
        return np.stack(np.unravel_index(np.arange(self.n_cells), self.sizes), axis=1)

    @cached_property
    def lines(self) -> np.ndarray:
        """Line id of each cell along each dimension: the cells sharing all other coordinates."""
        out = np.empty_like(self.coords)
        offset = 0
        for i in range(len(self.dims)):
            other = [j for j in range(len(self.dims)) if j != i]
            other_sizes = tuple(self.sizes[j] for j in other)
            rest = np.ravel_multi_index(tuple(self.coords[:, other].T), other_sizes) if other else 0
            out[:, i] = offset + rest
            offset += int(np.prod(other_sizes))
        return out

    @property
    def n_lines(self) -> int:
        return int(self.lines.max()) + 1

    @cached_property
    def incidence(self) -> sparse.csr_matrix:
        """Lines x cells: +1 for a line's total, -1 for its children, so each row times the cube is 0."""
        coef = np.where(self.coords == 0, 1.0, -1.0)
        cells = np.repeat(np.arange(self.n_cells), len(self.dims))
        shape = (self.n_lines, self.n_cells)
        return sparse.csr_matrix((coef.ravel(), (self.lines.ravel(), cells)), shape=shape)


def _natural(value) -> list:
    """Sort key comparing runs of digits as numbers, so that age band 5-9 comes before 10-14."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(value))]


def _levels_of(values: pd.Series, given) -> tuple:
    """Categories of one dimension: those given, a categorical's own, else the observed values in natural order."""
    if given is not None:
        return tuple(given)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return tuple(values.cat.categories)
    return tuple(sorted(values.unique(), key=_natural))


def count_cube(microdata: pd.DataFrame, dims: list[str], levels: dict | None = None):
    """Count records in every cell of the full cross product of `dims`, margins included."""
    if not 1 <= len(dims) <= 4:
        raise ValueError(f"a count cube needs 1 to 4 dimensions, got {len(dims)}: {dims}")
    levels = levels or {}
    for dim in dims:
        if microdata[dim].isna().any():
            raise ValueError(f"column {dim!r} has missing values; label them before counting")
    cats_per_dim = [_levels_of(microdata[d], levels.get(d)) for d in dims]
    sizes = [len(c) + 1 for c in cats_per_dim]
    shape_levels, flat, stride = [], np.zeros(len(microdata), dtype=np.int64), 1
    # C order: the last dimension varies fastest.
    for i in reversed(range(len(dims))):
        dim, cats, values = dims[i], cats_per_dim[i], microdata[dims[i]]
        labels = tuple(str(c) for c in cats)
        if TOTAL in labels or len(set(labels)) != len(labels):
            raise ValueError(f"column {dim!r}: categories must be distinct and not {TOTAL!r}")
        if isinstance(values.dtype, pd.CategoricalDtype) and tuple(values.cat.categories) == tuple(cats):
            codes = values.cat.codes.to_numpy(np.int64)  # already coded: a million rows without a lookup
        else:
            codes = pd.Index(list(cats)).get_indexer(values).astype(np.int64)
        if (codes < 0).any():
            unknown = sorted(map(str, values[codes < 0].unique()))[:5]
            raise ValueError(f"column {dim!r} has values outside its categories: {unknown}")
        flat += (codes + 1) * stride
        stride *= sizes[i]
        shape_levels.insert(0, labels)
    shape = CubeShape(tuple(dims), tuple(shape_levels))
    cube = np.bincount(flat, minlength=shape.n_cells).reshape(shape.sizes)
    # Summing axis by axis into code 0 fills every margin, the grand total last.
    for axis in range(len(dims)):
        head = (slice(None),) * axis
        cube[head + (0,)] = cube[head + (slice(1, None),)].sum(axis=axis)
    return shape, cube.ravel()


def cube_frame(shape: CubeShape, counts, primary, secondary, reasons: bool = True) -> pd.DataFrame:
    """The published long-format cube: dims, `count` (NULL where suppressed) and `suppression`."""
    data = {}
    for i, dim in enumerate(shape.dims):
        labels = np.array((TOTAL,) + shape.levels[i], dtype=object)
        data[dim] = pd.Series(labels[shape.coords[:, i]], dtype="str")
    count = pd.array(counts, dtype="Int64")
    count[primary | secondary] = pd.NA
    reason = np.full(shape.n_cells, None, dtype=object)
    reason[primary] = "primary" if reasons else "suppressed"
    reason[secondary] = "secondary" if reasons else "suppressed"
    return pd.DataFrame({**data, "count": count, "suppression": pd.Series(reason, dtype="str")})


def shape_of_frame(cube: pd.DataFrame, dims: list[str]):
    """Recover the shape of a published cube and the cell index of each of its rows."""
    levels, codes = [], []
    for dim in dims:
        values = cube[dim].astype(str)
        cats = tuple(v for v in pd.unique(values) if v != TOTAL)
        levels.append(cats)
        codes.append(pd.Categorical(values, categories=[TOTAL, *cats]).codes)
    shape = CubeShape(tuple(dims), tuple(levels))
    index = np.ravel_multi_index(tuple(codes), shape.sizes)
    if len(cube) != shape.n_cells or len(np.unique(index)) != shape.n_cells:
        raise ValueError("the cube must hold every cell of the cross product and its margins once")
    return shape, index
