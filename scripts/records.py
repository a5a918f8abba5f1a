"""Record-level tables from person-level sources: pseudonyms, generalised quasi-identifiers, k and l enforced."""

from __future__ import annotations

import zlib

import pandas as pd

from .anonymise.kanon import AnonymityUnreachable, Hierarchy, anonymise_records
from .anonymise.pseudonym import is_development_key, pseudonymise
from .derived_spec import DerivedSpec, Records
from .disclosure import DisclosureReport
from .indexes import indexes_for
from .load import TableToLoad
from .manifest import DatasetEntry, Spec
from .steps import BuildFailed

DEVELOPMENT_KEY_NOTE = "development key: pseudonyms of this sample build protect nothing"


def _sample(rows: pd.DataFrame, fraction: float, dataset: str) -> pd.DataFrame:
    """A reproducible random sample, seeded by the dataset id so that each release draws the same rows."""
    if fraction >= 1:
        return rows
    return rows.sample(frac=fraction, random_state=zlib.crc32(dataset.encode()))


def derive_records(entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame, key_source):
    """The k-anonymous (and l-diverse) record table and its disclosure report."""
    from .derive import select_rows

    derive: Records = spec.derive
    rows = _sample(select_rows(frame, spec), derive.sample_fraction, entry.id)
    hierarchies = [Hierarchy(q.column, q.output, q.levels) for q in derive.quasi_identifiers]
    l_required = derive.l if derive.sensitive else 1
    try:
        released = anonymise_records(rows, hierarchies, derive.k, derive.sensitive, l_required,
                                     derive.max_suppression)
    except AnonymityUnreachable as error:
        raise BuildFailed(f"dataset '{entry.id}': {error}") from None
    kept = rows.loc[released.frame.index]
    columns = {}
    pseudonymised = []
    if derive.pseudonymise:
        key = key_source()
        if is_development_key(key) and not entry.synthetic:
            raise BuildFailed(f"dataset '{entry.id}': the public development key may only pseudonymise synthetic "
                              "sample data; set a real secret key")
        for pseudonym in derive.pseudonymise:
            columns[pseudonym.name] = pseudonymise(kept[pseudonym.column], key)
            pseudonymised.append(pseudonym.column)
        if is_development_key(key):
            pseudonymised.append(DEVELOPMENT_KEY_NOTE)
    for q in derive.quasi_identifiers:
        columns[q.output] = released.frame[q.output]
    for name in derive.sensitive + derive.keep:
        columns[name] = kept[name].astype("string") if source.column(name).type != "integer" else kept[name]
    table_frame = pd.DataFrame(columns).reset_index(drop=True)
    used = {q.column for q in derive.quasi_identifiers} | set(derive.sensitive) | set(derive.keep)
    report = DisclosureReport(
        dataset=entry.id, method="records", source=derive.source, rows_in=len(frame), rows_out=len(table_frame),
        k=released.k, l_diversity=released.l_diversity if derive.sensitive else None,
        suppressed_share=round(released.suppressed_share, 4),
        columns_dropped=[c.name for c in source.columns if c.name not in used and c.name not in pseudonymised],
        columns_generalised={c: level for c, level in released.levels.items() if level != "identity"},
        columns_pseudonymised=pseudonymised,
    )
    types = {name: (int if pd.api.types.is_integer_dtype(series) else str) for name, series in table_frame.items()}
    table = TableToLoad(
        name=entry.id, frame=table_frame, types=types, primary_key=[],
        indexes=indexes_for(spec.facets, spec.sortable, len(table_frame)),
    )
    return table, report
