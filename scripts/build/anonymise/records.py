"""Record-level tables from person-level sources: keyed sample, k and l over every published column, keyed order."""

from __future__ import annotations

import pandas as pd

from scripts.build.anonymise.aggregate import select_rows
from scripts.build.anonymise.draw import identities, keyed_order, keyed_sample
from scripts.build.anonymise.kanon import AnonymityUnreachable, Hierarchy, anonymise_records
from scripts.build.anonymise.keys import GENERATE_HINT, BuildSecrets
from scripts.build.anonymise.pseudonym import pseudonymise
from scripts.build.publish.disclosure import DisclosureReport
from scripts.build.publish.indexes import indexes_for
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.spec.derived_spec import DerivedSpec, Records
from scripts.build.spec.manifest import DatasetEntry, Spec
from scripts.build.steps import BuildFailed

DEVELOPMENT_KEY_NOTE = "development key: pseudonyms of this sample build protect nothing"


def hierarchies(derive: Records) -> list[Hierarchy]:
    """The quasi-identifiers, then every kept column as one that cannot be generalised: k counts them all."""
    declared = [Hierarchy(q.column, q.output, q.levels) for q in derive.quasi_identifiers]
    return declared + [Hierarchy(name, name, ["identity"]) for name in derive.keep]


def derive_records(entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame, key_source):
    """The k-anonymous (and l-diverse) record table in keyed order, and its disclosure report.

    `key_source` returns the build's secrets (scripts/build/anonymise/keys.py): the sample, the row order and the
    pseudonyms are keyed, fresh at every build, so that no release can be matched row by row with another.
    """
    derive: Records = spec.derive
    secrets: BuildSecrets = key_source()
    if secrets.development and not entry.synthetic:
        raise BuildFailed(
            f"dataset '{entry.id}': the public development key may only pseudonymise synthetic "
            f"sample data (or draw and order its records); set a real secret key: {GENERATE_HINT}"
        )
    rows = select_rows(frame, spec)
    rows = keyed_sample(rows, identities(rows, source.primary_key), derive.sample_fraction, secrets.sample(entry.id))
    l_required = derive.l if derive.sensitive else 1
    try:
        released = anonymise_records(
            rows, hierarchies(derive), derive.k, derive.sensitive, l_required, derive.max_suppression
        )
    except AnonymityUnreachable as error:
        raise BuildFailed(
            f"dataset '{entry.id}': {error}; generalise further (more levels, or 'withheld' as the "
            "last level of a column) or allow more suppression in its spec"
        ) from None
    # Rows are written in an order drawn from the build's secret: neither the source's order (by commune, by
    # date) nor the sampler's survives into rowids.
    order = released.frame.index[keyed_order(len(released.frame), secrets.order(entry.id))]
    taken = [p.column for p in derive.pseudonymise] + derive.sensitive + derive.keep
    generalised, kept = released.frame.loc[order], rows.loc[order, taken]
    table_frame = _grouped_by_facets(
        pd.DataFrame(_columns(entry, derive, source, generalised, kept, secrets)), spec.facets
    )
    report = _report(entry, derive, source, frame, table_frame, released, secrets)
    types = {name: (int if pd.api.types.is_integer_dtype(series) else str) for name, series in table_frame.items()}
    table = TableToLoad(
        name=entry.id,
        frame=table_frame,
        types=types,
        primary_key=[],
        indexes=indexes_for(spec.facets, spec.sortable, len(table_frame)),
        facets=spec.facets,
    )
    return table, report


def _grouped_by_facets(frame: pd.DataFrame, facets: list[str]) -> pd.DataFrame:
    """The rows grouped by the table's facet values, in keyed order within each group.

    The grouping is by published values only, so the order tells nothing a row does not show itself, and within a
    group the keyed order still hides the source's and the sampler's. Indexes on the facets (`indexes.py`) are then
    built from nearly sorted rows, about three times faster on a province's tables, and a page filtered on the first
    facet reads neighbouring pages of the file.
    """
    columns = [name for name in facets if name in frame.columns]
    if columns:
        frame = frame.sort_values(columns, kind="stable", na_position="first")
    return frame.reset_index(drop=True)


def _columns(
    entry: DatasetEntry,
    derive: Records,
    source: Spec,
    generalised: pd.DataFrame,
    kept: pd.DataFrame,
    secrets: BuildSecrets,
) -> dict[str, pd.Series]:
    """The published columns: pseudonyms, generalised quasi-identifiers, sensitive and kept columns."""
    columns = {}
    for pseudonym in derive.pseudonymise:
        columns[pseudonym.name] = pseudonymise(kept[pseudonym.column], secrets.pseudonym(entry.id, derive.link))
    for q in derive.quasi_identifiers:
        columns[q.output] = generalised[q.output]
    for name in derive.sensitive + derive.keep:
        columns[name] = kept[name].astype("string") if source.column(name).type != "integer" else kept[name]
    return columns


def _report(
    entry: DatasetEntry,
    derive: Records,
    source: Spec,
    frame: pd.DataFrame,
    table_frame: pd.DataFrame,
    released,
    secrets: BuildSecrets,
) -> DisclosureReport:
    pseudonymised = [p.column for p in derive.pseudonymise]
    used = {q.column for q in derive.quasi_identifiers} | set(derive.sensitive) | set(derive.keep)
    return DisclosureReport(
        dataset=entry.id,
        method="records",
        source=derive.source,
        rows_in=len(frame),
        rows_out=len(table_frame),
        k=released.k,
        l_diversity=released.l_diversity if derive.sensitive else None,
        suppressed_share=round(released.suppressed_share, 4),
        columns_dropped=[c.name for c in source.columns if c.name not in used and c.name not in pseudonymised],
        columns_generalised={
            c: level for c, level in released.levels.items() if level != "identity" and c not in derive.keep
        },
        columns_pseudonymised=pseudonymised + ([DEVELOPMENT_KEY_NOTE] if pseudonymised and secrets.development else []),
        pseudonym_link=derive.link if pseudonymised else None,
    )
