"""Secondary suppression choosing partners by persons hidden against choosing them by cells hidden.

Each count table of the build is planned at the levels the build chooses and protected on its own twice: with
partners chosen by the fewest persons they hide (what the build does, as tau-Argus minimises the hidden value)
and by the cell-count heuristic the portal used before. Run: `python -m scripts.bench.suppression_cost --data data`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.build.anonymise.aggregate import SECONDARY_PROTECTION, plan_aggregate
from scripts.build.anonymise.keys import secrets_for
from scripts.build.anonymise.suppress import protect
from scripts.build.anonymise.utility import utility
from scripts.build.prepare import BuildContext, Sources, SpecLoader, _lookup
from scripts.build.spec.derived_spec import Aggregate, DerivedSpec
from scripts.build.spec.manifest import load_manifest
from scripts.build.steps import Outcome


def compare(data: Path, finest: bool = False) -> list[dict]:
    """Per count table: cells and persons hidden with each choice of partners, at the levels the build picks and
    at the finest levels."""
    manifest = load_manifest(data / "manifest.yml")
    specs, sources = SpecLoader(data), Sources(data, Outcome(), manifest.datasets)
    context = BuildContext(
        secrets_for("cost"), _lookup(manifest, specs, sources), lambda _: None, require_targets=False
    )
    rows = []
    for entry in manifest.datasets:
        spec = specs.load(entry.spec, entry.id)
        if not (isinstance(spec, DerivedSpec) and isinstance(spec.derive, Aggregate)) or not entry.approved:
            continue
        source_spec = specs.load(f"specs/{spec.derive.source}.yml", entry.id)
        frame = sources.read(entry.id, source_spec, entry.source.files).frame
        # At the finest levels suppression has the most choices to make (and the sparsest tables take long).
        for at_finest in (False, True) if finest else (False,):
            dims = [d.model_copy(update={"coarser": []}) if at_finest else d for d in spec.derive.dimensions]
            derive = spec.derive.model_copy(update={"perturbation": None, "dimensions": dims})
            planned = plan_aggregate(entry, spec.model_copy(update={"derive": derive}), source_spec, frame, context)
            rows.append(_compared(entry.id, planned))
    return rows


def _compared(dataset: str, planned) -> dict:
    row = {"dataset": dataset, "levels": ", ".join(d.output for d in planned.derive.dimensions)}
    for cost in ("cells", "persons"):
        primary, secondary = protect(
            planned.shape,
            planned.counts,
            planned.derive.threshold,
            planned.derive.threshold,
            secondary_protection=SECONDARY_PROTECTION,
            cost=cost,
        )
        figures = utility(planned.shape, planned.counts, primary | secondary)
        row[cost] = {
            "cells_hidden": figures.cells_hidden,
            "persons_hidden": figures.persons_hidden,
            "hidden": int((primary | secondary).sum()),
        }
    return row


def render(rows: list[dict]) -> str:
    lines = [
        "| table | levels | hidden cells, by cells | persons hidden, by cells | hidden cells, by persons "
        "| persons hidden, by persons |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        c, p = row["cells"], row["persons"]
        lines.append(
            f"| {row['dataset']} | {row['levels']} | {c['hidden']} ({c['cells_hidden']:.1%}) | "
            f"{c['persons_hidden']:.2%} | {p['hidden']} ({p['cells_hidden']:.1%}) | "
            f"{p['persons_hidden']:.2%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--finest", action="store_true", help="also compare at every table's finest levels")
    args = parser.parse_args()
    print(render(compare(args.data, args.finest)))


if __name__ == "__main__":
    main()
