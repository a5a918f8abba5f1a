"""Apply a derived spec to a typed person-level source: a count table to protect, or anonymised records."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scripts.build.anonymise.aggregate import PlannedAggregate, plan_aggregate
from scripts.build.anonymise.protect import rules_version
from scripts.build.anonymise.records import derive_records
from scripts.build.publish.disclosure import DisclosureReport
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.spec.derived_spec import DerivedSpec, Records
from scripts.build.spec.manifest import DatasetEntry, Spec


@dataclass
class Derived:
    table: TableToLoad
    report: DisclosureReport


def derive(
    entry: DatasetEntry, spec: DerivedSpec, source: Spec, frame: pd.DataFrame, context
) -> Derived | PlannedAggregate:
    """Anonymised records with their report, or a count table planned and protected on its own."""
    if isinstance(spec.derive, Records):
        table, report = derive_records(entry, spec, source, frame, context.key_source)
        report.rules_version = rules_version(spec)
        return Derived(table, report)
    return plan_aggregate(entry, spec, source, frame, context)
