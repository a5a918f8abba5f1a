"""Apply a derived spec to a typed person-level source: plan what happens to each column, then do it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from .anonymise.generalise import GENERALISERS
from .anonymise.suppress import suppress_counts
from .derived_spec import Aggregate, DerivedSpec, Records
from .disclosure import RULES_VERSION, DisclosureReport
from .indexes import indexes_for
from .load import TableToLoad
from .manifest import DatasetEntry, Spec
from .records import derive_records

# A missing value of a grouping column is published as its own category rather than dropped.
UNKNOWN = "Không rõ"


@dataclass
class Derived:
    table: TableToLoad
    report: DisclosureReport


def rules_version(spec: DerivedSpec) -> str:
    """The code's rule version plus a digest of the spec, so a release names the exact rules it used."""
    digest = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:12]
    return f"{RULES_VERSION}+{digest}"


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


def dropped_columns(source: Spec, used: set[str]) -> list[str]:
    return [c.name for c in source.columns if c.name not in used]


def derive_aggregate(entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame) -> Derived:
    """Counts over the declared dimensions, all margins included, small cells suppressed."""
    derive: Aggregate = spec.derive
    rows = select_rows(frame, spec)
    micro = pd.DataFrame({
        d.output: generalised(rows, d.column, d.generalise, d.at) for d in derive.dimensions
    })
    cube = suppress_counts(micro, list(micro.columns), threshold=derive.threshold)
    cube = cube.rename(columns={"count": derive.count.name})
    dims = [d.output for d in derive.dimensions]
    used = {d.column for d in derive.dimensions}
    report = DisclosureReport(
        dataset=entry.id, method="aggregate", source=derive.source, rows_in=len(frame), rows_out=len(cube),
        threshold=derive.threshold, cells=len(cube), cells_primary=cube.attrs["cells_primary"],
        cells_secondary=cube.attrs["cells_secondary"], columns_dropped=dropped_columns(source, used),
        columns_generalised={d.column: d.generalise for d in derive.dimensions if d.generalise},
        rules_version=rules_version(spec),
    )
    types = {d: str for d in dims} | {derive.count.name: int, "suppression": str}
    table = TableToLoad(
        name=entry.id, frame=cube, types=types, primary_key=dims,
        indexes=indexes_for(spec.facets, spec.sortable, len(cube), also=dims[:1]),
    )
    return Derived(table, report)


def derive(entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame, key_source) -> Derived:
    """The published table and its disclosure report."""
    if isinstance(spec.derive, Records):
        table, report = derive_records(entry, spec, source, frame, key_source)
        report.rules_version = rules_version(spec)
        return Derived(table, report)
    return derive_aggregate(entry, spec, source, frame)
