"""The joint protection phase: every count table of a database audited together, then written out.

Each aggregate arrives protected on its own (scripts/build/anonymise/aggregate.py). Here the tables of one database, the
links between them and the facts declared in their specs form one system (scripts/build/anonymise/linkage.py), together
with counts that as-delivered tables publish about the same people (a spec's `protected_counts`); more cells
are hidden until no hidden cell of any table can be narrowed below its threshold by any combination.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from scripts.build.anonymise.aggregate import SECONDARY_PROTECTION, PlannedAggregate
from scripts.build.anonymise.cellkey import perturb
from scripts.build.anonymise.cube import TOTAL, cube_frame
from scripts.build.anonymise.joint import Block, JointSystem, protect_jointly
from scripts.build.anonymise.linkage import link, sample_bounds
from scripts.build.anonymise.partners import SuppressionFailed
from scripts.build.publish.disclosure import RULES_VERSION, DisclosureReport
from scripts.build.publish.indexes import indexes_for
from scripts.build.publish.metadata import percent_vi
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.steps import BuildFailed


def _cell_of(planned: PlannedAggregate, categories: dict[str, str]) -> int | None:
    """The cell of a table at the given categories (other dimensions at their totals); None if absent."""
    if not set(categories) <= set(planned.shape.dims):
        return None  # the table is published at a level without that dimension (procedures grouped by field)
    coord = []
    for dim, levels in zip(planned.shape.dims, planned.shape.levels):
        label = categories.get(dim, TOTAL)
        if label == TOTAL:
            coord.append(0)
        elif label in levels:
            coord.append(levels.index(label) + 1)
        else:
            return None
    return int(np.ravel_multi_index(tuple(coord), planned.shape.sizes))


class ProtectedCounts:
    """Counts of people in an as-delivered table, tied to the count table that protects the same people."""

    def __init__(self, item, planned_by_id: dict[str, PlannedAggregate]):
        self.item, self.frame = item, item.table.frame
        self.declared = item.spec.protected_counts
        self.planned_by_id = planned_by_id

    def _cells(self, count) -> tuple[PlannedAggregate, list[int | None]]:
        target = self.planned_by_id.get(count.equals.dataset)
        if target is None:
            raise BuildFailed(
                f"dataset '{self.item.entry.id}': {self.item.entry.spec}: protected_counts "
                f"'{count.column}' names '{count.equals.dataset}', which is not a published count "
                "table of the same database"
            )
        cells = []
        for _, row in self.frame.iterrows():
            categories = {dim: str(row[column]) for column, dim in count.equals.match.items()} | count.equals.cell
            cells.append(_cell_of(target, categories))
        return target, cells

    def bound(self, system: JointSystem, index_of: dict[str, int]) -> None:
        """Published parts of a protected count are lower bounds of it for the attacker; small parts are hidden."""
        for count in self.declared:
            if count.part_of is None:
                continue
            whole = self.frame[count.part_of].astype("Int64")
            part = self.frame[count.column].astype("Int64")
            parent = next(c for c in self.declared if c.column == count.part_of)
            target, cells = self._cells(parent)
            threshold = target.derive.threshold
            small = lambda x: (x >= 1) & (x < threshold)
            hide = (
                small(part).fillna(True)
                | small(whole - part).fillna(True)
                | pd.Series([c is None for c in cells], index=part.index)
            )
            self.frame[count.column] = part.mask(hide)
            for cell, value, hidden in zip(cells, part, hide):
                if cell is not None and not hidden and value > 0:
                    system.at_least(system.variable(index_of[target.entry.id], [cell]), float(value))

    def fill(self) -> None:
        """Counts equal to a protected cell are published as that cell is: its value, or nothing when hidden."""
        for count in self.declared:
            if count.equals is None:
                continue
            target, cells = self._cells(count)
            delivered = self.frame[count.column].astype("Int64")
            truth = pd.Series(
                [target.counts[c] if c is not None else pd.NA for c in cells], dtype="Int64", index=self.frame.index
            )
            differ = int(((delivered != truth) & truth.notna()).fillna(False).sum())
            if differ:
                raise BuildFailed(
                    f"dataset '{self.item.entry.id}': {self.item.entry.spec}: protected_counts "
                    f"'{count.column}': {differ} rows differ from the counts of "
                    f"'{count.equals.dataset}' they are declared equal to; correct the declaration"
                )
            hidden = np.array([c is None or target.hidden[c] for c in cells])
            self.frame[count.column] = truth.mask(hidden)


def protect_database(
    planned: list[PlannedAggregate], as_delivered: list, require_targets: bool = True, samples: list = ()
) -> None:
    """Audit one database's count tables together and hide more until nothing hidden can be narrowed."""
    if not planned:
        for item in as_delivered:
            if item.spec.protected_counts:
                raise BuildFailed(
                    f"dataset '{item.entry.id}': {item.entry.spec}: protected_counts need their "
                    "count table in the same database"
                )
        return
    blocks = [
        Block(
            p.entry.id,
            p.shape,
            p.counts,
            p.derive.threshold,
            p.protection,
            p.hidden,
            secondary_protection=SECONDARY_PROTECTION,
        )
        for p in planned
    ]
    system = JointSystem(blocks)
    link(system, planned)
    for sample in samples:
        sample_bounds(system, planned, sample)
    by_id = {p.entry.id: p for p in planned}
    counts = [ProtectedCounts(item, by_id) for item in as_delivered if item.spec.protected_counts]
    for declared in counts:
        declared.bound(system, {p.entry.id: i for i, p in enumerate(planned)})
    try:
        protect_jointly(system)
    except SuppressionFailed as error:
        raise BuildFailed(f"the joint audit of {len(planned)} count tables cannot hide enough: {error}") from None
    for p, block in zip(planned, blocks):
        p.hidden = block.hidden
        if p.targets_met and not p.utility().meets(p.derive.targets):
            p.targets_met = p.met_alone = False
    missed = [p for p in planned if not p.met_alone]
    if missed and require_targets:
        raise BuildFailed(
            "\n".join(
                f"dataset '{p.entry.id}': {p.entry.spec}: meets the utility targets alone, but hides {p.utility()} once "
                "audited with the other tables and the facts declared; add coarser levels to it or to the tables it is "
                "linked to"
                for p in missed
            )
        )
    for declared in counts:
        declared.fill()


def rules_version(spec) -> str:
    """The code's rule version plus a digest of the spec, so a release names the exact rules it used."""
    digest = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:12]
    return f"{RULES_VERSION}+{digest}"


def materialise(planned: PlannedAggregate, original_spec) -> tuple[TableToLoad, DisclosureReport]:
    """The published cube and its disclosure report."""
    derive = planned.derive
    secondary = planned.hidden & ~planned.primary
    published = planned.counts
    if derive.perturbation:
        # Hidden cells were chosen on the true counts; what is shown of the others carries the cell's noise.
        published = perturb(planned.counts, planned.cell_keys, derive.perturbation.ptable())
    cube = cube_frame(planned.shape, published, planned.primary, secondary, reasons=False)
    cube = cube.rename(columns={"count": derive.count.name})
    dims = [d.output for d in derive.dimensions]
    used = {d.column for d in derive.dimensions}
    figures = planned.utility()
    report = DisclosureReport(
        dataset=planned.entry.id,
        method="aggregate",
        source=derive.source,
        rows_in=planned.rows_in,
        rows_out=len(cube),
        threshold=derive.threshold,
        cells=len(cube),
        cells_hidden=int(planned.hidden.sum()),
        columns_dropped=[c.name for c in planned.source.columns if c.name not in used],
        columns_generalised={d.column: d.level_name for d in derive.dimensions if d.level_name != "as delivered"},
        cells_hidden_share=round(figures.cells_hidden, 4),
        persons_hidden_share=round(figures.persons_hidden, 4),
        levels_chosen=_levels_note(planned),
        rules_version=rules_version(original_spec),
        perturbation=derive.perturbation.model_dump_json(exclude_none=True) if derive.perturbation else None,
    )
    types = {d: str for d in dims} | {derive.count.name: int, "suppression": str}
    table = TableToLoad(
        name=planned.entry.id,
        frame=cube,
        types=types,
        primary_key=dims,
        indexes=indexes_for(planned.spec.facets, planned.spec.sortable, len(cube), also=dims[:1]),
        facets=planned.spec.facets,
    )
    return table, report


_LEVEL_VI = {
    None: "như bản giao",
    "identity": "như bản giao",
    "month": "tháng",
    "quarter": "quý",
    "year": "năm",
    "birth_year": "năm sinh",
    "age_band_5y": "nhóm tuổi 5 năm",
    "age_band_10y": "nhóm tuổi 10 năm",
    "age_band_20y": "nhóm tuổi 20 năm",
    "whole_province": "toàn tỉnh",
}


def _levels_note(planned: PlannedAggregate) -> str:
    """Which levels were published and why, in Vietnamese then English, for admins and readers alike."""
    return f"{_levels_note_vi(planned)} · {_levels_note_en(planned)}"


def _levels_note_vi(planned: PlannedAggregate) -> str:
    dims = planned.derive.dimensions
    chosen = ", ".join(
        f"{d.label.vi if d.label else d.output} ({_LEVEL_VI.get(d.generalise, d.generalise)}"
        f"{', gộp nhóm' if d.groups or d.groups_from else ''})"
        for d in dims
    )
    targets, n, figures = planned.derive.targets, len(planned.tried), planned.utility()
    limits = f"{targets.cells_hidden:.0%} số ô và {targets.persons_hidden:.0%} số người"
    if planned.targets_met:
        why = f"mức chi tiết nhất trong {n} tổ hợp mà chỉ ẩn tối đa {limits}"
    elif not planned.met_alone:
        why = (
            f"mức chi tiết nhất đạt mục tiêu khi xét riêng; kiểm tra cùng các bảng khác, bảng ẩn "
            f"{percent_vi(figures.cells_hidden)} số ô và {percent_vi(figures.persons_hidden)} số người"
        )
    else:
        why = f"không tổ hợp nào trong {n} tổ hợp chỉ ẩn tối đa {limits}; tổ hợp này ẩn ít người nhất"
    finer = sum(t.figures.cells > figures.cells for t in planned.tried)
    return f"{chosen}: {why}" + (f". Đã loại {finer} tổ hợp chi tiết hơn" if finer else "")


def _levels_note_en(planned: PlannedAggregate) -> str:
    chosen = ", ".join(f"{d.output} ({d.level_name})" for d in planned.derive.dimensions)
    targets = planned.derive.targets
    finer = [t for t in planned.tried if t.figures.cells > planned.utility().cells]
    if planned.targets_met:
        why = (
            f"the finest of {len(planned.tried)} combinations that hides at most {targets.cells_hidden:.0%} of "
            f"cells and {targets.persons_hidden:.0%} of persons"
        )
    elif not planned.met_alone:
        why = (
            f"the finest of {len(planned.tried)} combinations meeting the targets on its own; audited with the "
            f"other tables it hides {planned.utility()}"
        )
    else:
        why = (
            f"no combination of {len(planned.tried)} meets the targets ({targets.cells_hidden:.0%} of cells, "
            f"{targets.persons_hidden:.0%} of persons); this one hides the fewest persons"
        )
    rejected = "; ".join(f"{', '.join(t.levels.values())}: {t.figures}" for t in finer[:3])
    return f"{chosen}: {why}" + (f". Finer levels rejected: {rejected}" if rejected else "")
