"""Plan a count table from a person-level source: check its categories, choose its levels, protect it alone.

The levels are chosen as a statistical office would: of every combination the spec's dimensions allow (finest
first, by the number of cells it spans), the first whose suppression meets the spec's utility targets. The
table is then protected on its own; scripts/build/anonymise/protect.py audits it again together with every other table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scripts.build.anonymise.cellkey import cell_keys, record_keys
from scripts.build.anonymise.cube import TOTAL, CubeShape, _natural, count_cube
from scripts.build.anonymise.generalise import GENERALISERS, NESTED, UNKNOWN, coarsen, unpadded_band
from scripts.build.anonymise.joint import Block, JointSystem, protect_jointly
from scripts.build.anonymise.partners import SuppressionFailed
from scripts.build.anonymise.utility import Utility, utility
from scripts.build.spec.derived_spec import Aggregate, DerivedSpec, Dimension
from scripts.build.spec.manifest import DatasetEntry, Spec
from scripts.build.steps import BuildFailed

# A cell hidden only to protect small ones holds at least the threshold: it must not be recoverable exactly,
# but need not stay as uncertain as a small cell, which must look like any value across a threshold-wide range.
SECONDARY_PROTECTION = 1
# When no option meets the targets, this many of those hiding the fewest persons before secondary suppression
# are protected in full, and the best is published.
FALLBACK_OPTIONS = 4


@dataclass
class Tried:
    """One combination of levels the build considered, and what it would hide."""

    levels: dict[str, str]
    figures: Utility
    protected: bool  # figures after secondary suppression (else primary suppression only, a lower bound)
    failed: str = ""


@dataclass
class PlannedAggregate:
    """A count table at its chosen levels, with the cells it hides so far."""

    entry: DatasetEntry
    spec: DerivedSpec  # the spec at the chosen levels
    source: Spec
    shape: CubeShape
    counts: np.ndarray
    primary: np.ndarray
    hidden: np.ndarray
    rows_in: int
    tried: list[Tried] = field(default_factory=list)
    targets_met: bool = True
    met_alone: bool = True  # the targets were met before the joint audit hid more
    group_maps: dict[str, dict] = field(default_factory=dict)  # dimension -> category -> its declared group
    cell_keys: np.ndarray | None = None  # for tables published with the cell key method

    @property
    def derive(self) -> Aggregate:
        return self.spec.derive

    @property
    def protection(self) -> int:
        # No hidden small cell may be narrowed to fewer values than the threshold: a hidden 3 must look like 1 to 11.
        return self.derive.threshold

    def utility(self) -> Utility:
        return utility(self.shape, self.counts, self.hidden)


def select_rows(frame: pd.DataFrame, spec: DerivedSpec) -> pd.DataFrame:
    """The source rows the spec's filter keeps."""
    keep = pd.Series(True, index=frame.index)
    for condition in spec.derive.filter:
        values = frame[condition.column]
        if condition.values is not None:
            keep &= values.astype("string").isin(condition.values)
        else:
            keep &= values.notna() == condition.present
    return frame[keep]


def generalised(frame: pd.DataFrame, column: str, generaliser: str | None, at: str | None = None) -> pd.Series:
    """One source column after its declared generalisation, as text."""
    values = frame[column]
    if generaliser:
        function = GENERALISERS[generaliser]
        values = function(values, frame[at]) if at else function(values)
    return values.astype("string").fillna(UNKNOWN)


class Categories:
    """The allow-listed categories and the declared groups of each dimension, read from specs or datasets."""

    def __init__(self, entry: DatasetEntry, spec_file: str, lookup):
        self.where, self.lookup = f"dataset '{entry.id}': {spec_file}", lookup

    def allowed(self, dim: Dimension) -> set[str] | None:
        if dim.categories is not None:
            return set(dim.categories) | {UNKNOWN}
        if dim.categories_from is not None:
            return set(self.lookup(dim.categories_from).astype(str)) | {UNKNOWN}
        return None

    def groups(self, dim: Dimension) -> dict[str, str] | None:
        """Category -> group label, from the spec or from another dataset's column."""
        if dim.groups is not None:
            return {member: group for group, members in dim.groups.items() for member in members}
        if dim.groups_from is not None:
            table = self.lookup(dim.groups_from)
            return dict(zip(table.index.astype(str), table.astype(str)))
        return None

    def check(self, dim: Dimension, values: pd.Series, index: int) -> None:
        """Fail on any value outside the allow-list, naming how many and where, never the value itself."""
        allowed = self.allowed(dim)
        if allowed is None or set(values.cat.categories) <= allowed:
            return
        outside = ~values.isin(allowed)
        first = int(np.flatnonzero(outside.to_numpy())[0]) + 1
        raise BuildFailed(
            f"{self.where}: dimensions[{index}] ('{dim.column}'): {int(outside.sum())} source rows hold values "
            f"that are not among its declared categories (the first is source record {first}); add the "
            "category to the spec if it is meant to be published, or correct the source"
        )

    def apply_groups(self, dim: Dimension, values: pd.Series, index: int) -> pd.Series:
        mapping = self.groups(dim)
        if mapping is None:
            return values
        missing = sorted(set(values.cat.categories) - set(mapping) - {UNKNOWN})
        if missing:
            raise BuildFailed(
                f"{self.where}: dimensions[{index}] ('{dim.column}') at level '{dim.output}': the "
                f"groups miss {len(missing)} categories, e.g. {missing[:3]}; add them to a group"
            )
        return _relabelled(values, lambda c: mapping.get(c, c))


def _relabelled(values: pd.Series, relabel) -> pd.Series:
    """A coded column with its categories renamed (several may merge): once per category, then by code."""
    labels = np.array([relabel(c) for c in values.cat.categories], dtype=object)
    categories = sorted(set(labels), key=_natural)
    codes = pd.Index(categories).get_indexer(labels)[values.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=values.index)


def _coded(values: pd.Series) -> pd.Series:
    """Text values as a categorical in natural order, so that counting them needs no lookup per row."""
    codes, uniques = pd.factorize(values)
    order = sorted(range(len(uniques)), key=lambda i: _natural(uniques[i]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    categories = [uniques[i] for i in order]
    return pd.Series(pd.Categorical.from_codes(rank[codes], categories=categories), index=values.index)


def _level_values(rows: pd.DataFrame, dims: list[Dimension], categories: Categories) -> list[list[pd.Series]]:
    """Each dimension's values at each of its levels, checked against its allow-list first."""
    out = []
    for index, dim in enumerate(dims):
        levels = []
        for level in dim.levels:
            finer = dim.levels[len(levels) - 1] if levels else None
            if (
                finer is not None
                and (finer.generalise, level.generalise) in NESTED
                and not finer.groups
                and not finer.groups_from
            ):
                # A coarser level of the same dates or ages: relabel the finer level's categories, not every row.
                values = _relabelled(levels[-1], lambda c: coarsen(c, finer.generalise, level.generalise))
            else:
                values = _coded(generalised(rows, level.column, level.generalise, level.at))
            if not levels:
                categories.check(dim, values, index)
            levels.append(categories.apply_groups(level, values, index))
        out.append(levels)
    return out


def _options(values: list[list[pd.Series]]):
    """Every combination of levels, finest first: the most cells spanned, then the lowest levels."""
    choices = list(itertools.product(*(range(len(levels)) for levels in values)))
    sizes = {c: np.prod([len(values[d][i].cat.categories) + 1 for d, i in enumerate(c)]) for c in choices}
    return sorted(choices, key=lambda c: (-sizes[c], sum(c), c))


def _levels_text(spec: DerivedSpec) -> dict[str, str]:
    return {d.column: f"{d.output}: {d.level_name}" for d in spec.derive.dimensions}


def plan_aggregate(
    entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame, context
) -> PlannedAggregate:
    """The table at the finest levels that meet its utility targets, protected on its own."""
    derive: Aggregate = spec.derive
    rows = select_rows(frame, spec)
    categories = Categories(entry, entry.spec, context.lookup)
    values = _level_values(rows, derive.dimensions, categories)
    tried, ranked = [], []
    for choice in _options(values):
        concrete = spec.at_levels(choice)
        micro = pd.DataFrame(
            {d.output: values[i][c] for i, (d, c) in enumerate(zip(concrete.derive.dimensions, choice))}
        )
        shape, counts = count_cube(micro, list(micro.columns))
        primary = (counts >= 1) & (counts < derive.threshold)
        figures = utility(shape, counts, primary)
        tried.append(Tried(_levels_text(concrete), figures, protected=False))
        ranked.append((figures.persons_hidden, figures.cells_hidden, len(ranked), concrete, micro, shape, counts))
    # Primary suppression alone is a lower bound of what is hidden: only options meeting the targets with it
    # are protected, in order, until one meets them after secondary suppression too.
    previous = context.previous(entry.id)
    for _, _, position, concrete, micro, shape, counts in (
        r for r, t in zip(ranked, tried) if t.figures.meets(derive.targets)
    ):
        planned = _protected(entry, concrete, source, shape, counts, previous, frame, categories, tried, position)
        if planned is not None and planned.utility().meets(derive.targets):
            return _finish(planned, rows, micro, context)
    if context.require_targets:
        raise BuildFailed(_no_level_message(entry, derive, tried))
    # None meets them: of the options hiding the fewest persons before secondary suppression, publish the one
    # that hides the fewest after it.
    best = None
    for _, _, position, concrete, micro, shape, counts in sorted(ranked, key=lambda r: r[:3])[:FALLBACK_OPTIONS]:
        planned = _protected(entry, concrete, source, shape, counts, previous, frame, categories, tried, position)
        if planned is not None and (best is None or _cost(planned) < _cost(best[0])):
            best = (planned, micro)
    if best is None:
        raise BuildFailed(_no_level_message(entry, derive, tried))
    best[0].targets_met = False
    return _finish(best[0], rows, best[1], context)


def _cost(planned: PlannedAggregate) -> tuple[float, float]:
    figures = planned.utility()
    return figures.persons_hidden, figures.cells_hidden


def _protected(entry, concrete, source, shape, counts, previous, frame, categories, tried, position):
    """One option protected on its own with the facts it declares about itself, its figures recorded; None when
    suppression cannot protect it."""
    from scripts.build.anonymise.linkage import (
        own_facts,  # linkage reads planned tables; a table plans with its own facts
    )

    threshold = concrete.derive.threshold
    primary = (counts >= 1) & (counts < threshold)
    hidden = previously_hidden(shape, previous)
    start = primary | (hidden & (counts > 0) if hidden is not None else False)
    groups = {d.output: categories.groups(d) for d in concrete.derive.dimensions if d.groups or d.groups_from}
    planned = PlannedAggregate(
        entry, concrete, source, shape, counts, primary, start, rows_in=len(frame), tried=tried, group_maps=groups
    )
    block = Block(entry.id, shape, counts, threshold, threshold, start, secondary_protection=SECONDARY_PROTECTION)
    system = JointSystem([block])
    own_facts(system, planned)
    try:
        protect_jointly(system, audit_all=True)
    except SuppressionFailed as error:
        tried[position].failed = str(error)
        return None
    planned.hidden = block.hidden
    tried[position] = Tried(tried[position].levels, planned.utility(), protected=True)
    return planned


def _finish(planned: PlannedAggregate, rows: pd.DataFrame, micro: pd.DataFrame, context) -> PlannedAggregate:
    if planned.derive.perturbation:
        planned.cell_keys = _cell_keys(planned, rows, micro, context)
    return planned


def _cell_keys(planned: PlannedAggregate, rows: pd.DataFrame, micro: pd.DataFrame, context) -> np.ndarray:
    """Each cell's key: the sum of its persons' record keys, drawn afresh for every build."""
    perturbation = planned.derive.perturbation
    identifiers = [c.name for c in planned.source.columns if c.role == "direct_identifier"]
    column = perturbation.identifier or (identifiers[0] if len(identifiers) == 1 else None)
    if column is None or column not in rows:
        raise BuildFailed(
            f"dataset '{planned.entry.id}': {planned.entry.spec}: perturbation needs 'identifier', the "
            f"source column naming the person (one of {identifiers})"
        )
    # Tables of one source share their persons' keys: computed once per source column and filter.
    memo = (id(planned.source), column, tuple(c.model_dump_json() for c in planned.derive.filter), len(rows))
    if memo not in context.memo:
        context.memo[memo] = record_keys(rows[column], context.key_source().cell_key())
    return cell_keys(micro, list(micro.columns), context.memo[memo])


def _no_level_message(entry: DatasetEntry, derive: Aggregate, tried: list[Tried]) -> str:
    best = min(tried, key=lambda t: (t.figures.persons_hidden, t.figures.cells_hidden))
    return (
        f"dataset '{entry.id}': {entry.spec}: no combination of the dimensions' levels meets the utility targets "
        f"(at most {derive.targets.cells_hidden:.0%} of cells and {derive.targets.persons_hidden:.0%} of persons "
        f"hidden); the best of {len(tried)} hides {best.figures} at {', '.join(best.levels.values())}; add "
        "coarser levels to a dimension ('coarser:'), drop a dimension, or publish a coarser table beside this one"
    )


def previously_hidden(shape: CubeShape, previous: pd.DataFrame | None) -> np.ndarray | None:
    """The cells the previous release hid, so that a cell hidden once is not revealed by the next release."""
    if previous is None or "suppression" not in previous or not set(shape.dims) <= set(previous.columns):
        return None
    gone = previous[previous["suppression"].notna()]
    codes = []
    for dim, levels in zip(shape.dims, shape.levels):
        index = pd.Index([TOTAL, *levels])
        labels = gone[dim].astype(str)
        found = index.get_indexer(labels)
        # A release before age bands were zero-padded wrote `5-9` for today's `05-09`: still the same cell.
        padded = index.get_indexer(labels.map(lambda label: unpadded_band(label) or label))
        codes.append(np.where(found >= 0, found, padded))
    codes = np.array(codes).reshape(len(shape.dims), -1)
    known = (codes >= 0).all(axis=0)
    hidden = np.zeros(shape.n_cells, dtype=bool)
    if known.any():
        hidden[np.ravel_multi_index(tuple(codes[:, known]), shape.sizes)] = True
    return hidden
