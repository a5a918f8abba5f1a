"""What ties published count tables together: the same people counted in two tables, and declared facts.

The joint audit (scripts/build/anonymise/joint.py) must know every linear fact an attacker can use. Two tables from
one source count the same people: over the dimensions they share (each at the coarser of the two levels) and
within the part of the source both keep, their margins are equal; a table whose filter keeps a subset of the
other's people has margins at most the other's. Specs declare the rest (`relations`): counts known to be equal
(a marriage registers a man and a woman) and cumulative inequalities (an account is activated only after it
is registered).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from scripts.build.anonymise.aggregate import PlannedAggregate
from scripts.build.anonymise.cube import TOTAL
from scripts.build.anonymise.generalise import NESTED, UNKNOWN, coarsen
from scripts.build.anonymise.joint import JointSystem
from scripts.build.steps import BuildFailed


def _level(dim) -> tuple:
    return (dim.generalise or "identity", dim.at, bool(dim.groups or dim.groups_from))


def _coarser(fine, coarse) -> bool:
    """Whether level `coarse` is `fine` or a coarsening of it."""
    (gf, at_f, grouped_f), (gc, at_c, grouped_c) = fine, coarse
    if gc == "whole_province":
        return True
    if at_f != at_c or grouped_f:
        return fine == coarse
    return gf == gc or (gf, gc) in NESTED or (gf in (None, "identity") and grouped_c)


class _View:
    """One table seen through some of its dimensions: which cells fall in each category combination."""

    def __init__(self, table: PlannedAggregate, index: int):
        self.table, self.index = table, index
        self.dims = {d.column: (i, d) for i, d in enumerate(table.derive.dimensions)}

    def cells(self, common: dict[str, tuple], slices: dict[str, set]) -> dict[tuple, list[int]]:
        """Cells by their common dimensions' categories (coarsened) or totals, every other dimension at its total."""
        shape = self.table.shape
        keep = np.ones(shape.n_cells, dtype=bool)
        for column, (i, _) in self.dims.items():
            codes = shape.coords[:, i]
            if column in common:
                continue  # every category and the total: margins are linked too
            elif column in slices:
                allowed = [c + 1 for c, label in enumerate(shape.levels[i]) if label in slices[column]]
                keep &= np.isin(codes, allowed)
            else:
                keep &= codes == 0
        groups = defaultdict(list)
        order = list(common)
        for cell in np.flatnonzero(keep):
            key = []
            for column in order:
                i, dim = self.dims[column]
                code = shape.coords[cell, i]
                if code == 0:
                    key.append(TOTAL)
                    continue
                # Both sides map through the coarser side's groups (a grouped side's labels map to themselves).
                (coarse, _, _), group_maps = common[column]
                key.append(
                    coarsen(shape.levels[i][code - 1], _level(dim)[0], coarse, (group_maps or {}).get(self.index))
                )
            groups[tuple(key)].append(int(cell))
        return groups


def _slices(conditions, other: _View) -> dict[str, set] | None:
    """The filter conditions as slices of the other table's dimensions; None when one cannot be expressed."""
    out = {}
    for condition in conditions:
        if condition.column not in other.dims:
            return None
        i, dim = other.dims[condition.column]
        labels = other.table.shape.levels[i]
        if condition.values is not None:
            if _level(dim)[0] != "identity" or _level(dim)[2]:
                return None
            out[condition.column] = set(condition.values) & set(labels)
        else:
            out[condition.column] = {lab for lab in labels if (lab != UNKNOWN) == condition.present}
    return out


def _common_grouping(a: _View, ga: dict | None, b: _View, gb: dict | None, column: str) -> dict:
    """For each table, its categories mapped to the classes of the finest partition both groupings refine into."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    members = {}
    for view, grouping in ((a, ga), (b, gb)):
        labels = view.table.shape.levels[view.dims[column][0]]
        by_label = {
            label: [base for base, group in grouping.items() if group == label] if grouping else [label]
            for label in labels
        }
        members[view.index] = by_label
        for bases in by_label.values():
            for base in bases[1:]:
                parent[find(base)] = find(bases[0])
    return {
        index: {label: find(bases[0]) if bases else label for label, bases in by_label.items()}
        for index, by_label in members.items()
    }


def _link_pair(system: JointSystem, a: _View, b: _View) -> None:
    """Equal margins of two tables of one source over what they share; at most where one keeps a subset."""
    fa = {c.model_dump_json() for c in a.table.derive.filter}
    fb = {c.model_dump_json() for c in b.table.derive.filter}
    only_a = [c for c in a.table.derive.filter if c.model_dump_json() not in fb]
    only_b = [c for c in b.table.derive.filter if c.model_dump_json() not in fa]
    slice_b, slice_a = _slices(only_a, b), _slices(only_b, a)
    relation = "equal"
    if slice_b is None or slice_a is None:
        if only_a and not only_b:
            relation, slice_b, slice_a = "a_within_b", {}, {}
        elif only_b and not only_a:
            relation, slice_b, slice_a = "b_within_a", {}, {}
        else:
            return  # different subsets of the source: no margin in common
    common = {}
    for column in set(a.dims) & set(b.dims):
        if column in slice_a or column in slice_b:
            continue
        la, lb = _level(a.dims[column][1]), _level(b.dims[column][1])
        ga, gb = (v.table.group_maps.get(v.dims[column][1].output) for v in (a, b))
        if (la[2] or lb[2]) and la[:2] == lb[:2]:
            # Groupings of the same categories: both seen through the finest grouping coarser than each.
            common[column] = ((la[0], la[1], True), _common_grouping(a, ga, b, gb, column))
        elif _coarser(la, lb):
            common[column] = (lb, {a.index: gb, b.index: gb})
        elif _coarser(lb, la):
            common[column] = (la, {a.index: ga, b.index: ga})
        else:
            raise BuildFailed(
                f"datasets '{a.table.entry.id}' and '{b.table.entry.id}' publish '{column}' at levels "
                "that do not nest, so the joint audit cannot relate them; use nested levels"
            )
    cells_a, cells_b = a.cells(common, slice_a), b.cells(common, slice_b)
    for key in set(cells_a) | set(cells_b):
        left = system.variable(a.index, cells_a.get(key, []))
        right = system.variable(b.index, cells_b.get(key, []))
        if relation == "equal":
            system.equal(left, right)
        elif relation == "a_within_b":
            system.at_most(left, right)
        else:
            system.at_most(right, left)


def _equal_fact(system: JointSystem, view: _View, fact) -> None:
    shape = view.table.shape
    if fact.dimension not in view.dims:
        return
    d, _ = view.dims[fact.dimension]
    codes = [shape.levels[d].index(c) + 1 for c in fact.categories if c in shape.levels[d]]
    if len(codes) < 2:
        return
    keep = shape.coords[:, d] == codes[0]
    for column, values in fact.where.items():
        w, _ = view.dims[column]
        keep &= np.isin(shape.coords[:, w], [shape.levels[w].index(v) + 1 for v in values if v in shape.levels[w]])
    for cell in np.flatnonzero(keep):
        coord = shape.coords[cell].copy()
        for code in codes[1:]:
            coord[d] = code
            twin = int(np.ravel_multi_index(tuple(coord), shape.sizes))
            system.equal(system.variable(view.index, [cell]), system.variable(view.index, [twin]))


def _at_most_fact(system: JointSystem, view: _View, other: _View, fact) -> None:
    """Cumulated over time, every cell of `view` is at most the matching cell of `other`."""
    time_a, time_b = view.dims[fact.cumulative], other.dims.get(fact.matching)
    if time_b is None:
        return
    la, lb = _level(time_a[1]), _level(time_b[1])
    coarse = lb if _coarser(la, lb) else la
    common = {c: (_level(view.dims[c][1]), None) for c in view.dims if c != fact.cumulative and c in other.dims}
    common[fact.cumulative] = (coarse, None)
    cells_a = view.cells(common, {})
    other.dims[fact.cumulative] = other.dims.pop(fact.matching)  # the other table's date plays the same part
    cells_b = other.cells(common, {})
    by_rest = defaultdict(list)
    for key in set(cells_a) | set(cells_b):
        if key[-1] not in (UNKNOWN, TOTAL):
            by_rest[key[:-1]].append(key)
    for keys in by_rest.values():
        small, large = [], []
        for key in sorted(keys, key=lambda k: k[-1]):
            small += cells_a.get(key, [])
            large += cells_b.get(key, [])
            system.at_most(system.variable(view.index, small), system.variable(other.index, large))


def own_facts(system: JointSystem, table: PlannedAggregate) -> None:
    """The facts a table declares about its own cells (equal counts), for protecting it on its own."""
    view = _View(table, 0)
    for relation in table.derive.relations:
        if relation.equal:
            _equal_fact(system, view, relation.equal)


def link(system: JointSystem, tables: list[PlannedAggregate]) -> None:
    """Add every link between tables of one source and every declared fact to the joint system."""
    views = [_View(t, i) for i, t in enumerate(tables)]
    by_id = {v.table.entry.id: v for v in views}
    for i, a in enumerate(views):
        for b in views[i + 1 :]:
            if a.table.derive.source == b.table.derive.source:
                _link_pair(system, a, b)
        for relation in a.table.derive.relations:
            if relation.equal:
                _equal_fact(system, a, relation.equal)
            elif relation.at_most.dataset in by_id:
                other = by_id[relation.at_most.dataset]
                _at_most_fact(system, a, _View(other.table, other.index), relation.at_most)


def sample_bounds(system: JointSystem, tables: list[PlannedAggregate], sample) -> None:
    """A published record sample counts people too: each of its groups is at least that many people of a count
    table of the same source, summed over the table's cells inside the group."""
    derive = sample.spec.derive
    if derive.filter:
        return  # a subset of the source: its groups bound no count table the audit can name
    levels = {q.column: sample.report.columns_generalised.get(q.column, "identity") for q in derive.quasi_identifiers}
    outputs = {q.column: q.output for q in derive.quasi_identifiers}
    for index, table in enumerate(tables):
        if table.derive.source != derive.source or table.derive.filter:
            continue
        view, common = _View(table, index), {}
        for column, level in levels.items():
            if level == "withheld" or column not in view.dims:
                continue  # the group holds every value of it: the table's total over it
            fine, published = _level(view.dims[column][1]), (level, view.dims[column][1].at, False)
            if _coarser(fine, published):
                common[column] = (published, None)
            elif _coarser(published, fine):
                common[column] = (fine, None)
            else:
                break  # levels that do not nest: no cell of one lies inside a group of the other
        else:
            cells = view.cells(common, {})
            frame = sample.table.frame
            keys = pd.DataFrame(
                {
                    c: frame[outputs[c]].astype(str).map(lambda label, c=c: coarsen(label, levels[c], common[c][0][0]))
                    for c in common
                }
            )
            for key, persons in keys.groupby(list(common), observed=True).size().items():
                key = key if isinstance(key, tuple) else (key,)
                if key in cells:
                    system.at_least(system.variable(index, cells[key]), float(persons))
