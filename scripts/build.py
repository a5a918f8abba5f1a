"""`make build`: republish every approved dataset from data/ into a new release under build/."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from datasette.cli import inspect_

from . import catalogue, metadata, release
from .extract import ExtractError, read_csv
from .load import SQL_TYPES, TableToLoad, write_database
from .manifest import DatasetEntry, Manifest, ManifestError, Spec, load_manifest, load_spec
from .validate import validate

PUBLIC_DATABASE = "portal"


class BuildFailed(Exception):
    """The build stopped; nothing was published and the current release is untouched."""


@dataclass
class Outcome:
    """What the build did with each manifest entry and how long each step took."""

    published: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, step: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started


@dataclass
class Prepared:
    entry: DatasetEntry
    spec: Spec
    frame: pd.DataFrame


def _why_not_publishable(entry: DatasetEntry, spec: Spec) -> str | None:
    """A reason to skip the dataset, or None when it may be published as it is."""
    if not entry.approved:
        return f"approval status is '{entry.approval.status}', not 'approved'"
    if entry.access != "public":
        return "restricted datasets are not published in this release"
    personal = [c.name for c in spec.columns if c.role != "attribute"]
    if personal:
        return f"columns {personal} hold personal data and the spec declares no anonymised output"
    return None


def _extract_and_validate(entry: DatasetEntry, spec: Spec, data_dir: Path, outcome: Outcome) -> pd.DataFrame:
    frames, problems = [], []
    for name in entry.source.files:
        with outcome.timed("extract"):
            try:
                raw = read_csv(data_dir / name)
            except ExtractError as error:
                problems.append(f"dataset '{entry.id}': {error}")
                continue
        with outcome.timed("validate"):
            checked = validate(raw, spec)
        outcome.repairs += [f"dataset '{entry.id}': repaired {r}" for r in checked.repairs]
        problems += [f"dataset '{entry.id}': {p}" for p in checked.problems]
        if checked.frame is not None:
            frames.append(checked.frame)
    if problems:
        raise BuildFailed("\n".join(problems))
    frame = pd.concat(frames, ignore_index=True)
    if len(frames) > 1 and frame.duplicated(subset=spec.primary_key).any():
        raise BuildFailed(f"dataset '{entry.id}': duplicate primary key {spec.primary_key} across source files")
    return frame


def prepare(manifest: Manifest, data_dir: Path, outcome: Outcome) -> list[Prepared]:
    """Read, check and type every publishable dataset; report the others; fail on any problem."""
    prepared, failures = [], []
    for entry in manifest.datasets:
        try:
            spec = load_spec(data_dir / entry.spec, entry.id)
            reason = _why_not_publishable(entry, spec)
            if reason:
                outcome.skipped[entry.id] = reason
                continue
            prepared.append(Prepared(entry, spec, _extract_and_validate(entry, spec, data_dir, outcome)))
        except (ManifestError, BuildFailed) as error:
            failures.append(str(error))
    if failures:
        raise BuildFailed("\n".join(failures))
    return prepared


def table_to_load(item: Prepared) -> TableToLoad:
    """The schema and indexes a published dataset gets: its key, its facets, its full-text columns."""
    spec = item.spec
    return TableToLoad(
        name=item.entry.id,
        frame=item.frame,
        types={c.name: SQL_TYPES[c.type] for c in spec.columns},
        primary_key=spec.primary_key,
        indexes=[[facet] for facet in spec.facets] + [[c] for c in spec.sortable if c not in spec.facets],
        fts=spec.fts,
    )


def _write_release(staging: Path, manifest: Manifest, prepared: list[Prepared], portal_metadata: dict,
                   outcome: Outcome) -> None:
    tables = [table_to_load(item) for item in prepared]
    rows = [catalogue.catalogue_row(item.entry, manifest, len(item.frame), PUBLIC_DATABASE) for item in prepared]
    tables.append(catalogue.catalogue_table(rows))
    with outcome.timed("load"):
        write_database(staging / f"{PUBLIC_DATABASE}.db", tables)
    table_metadata = {item.entry.id: metadata.table_metadata(item.entry, item.spec, manifest) for item in prepared}
    table_metadata[catalogue.TABLE] = catalogue.catalogue_metadata(manifest)
    merged = metadata.release_metadata(portal_metadata, table_metadata, PUBLIC_DATABASE)
    (staging / "metadata.json").write_text(json.dumps(merged, ensure_ascii=False, indent=2), encoding="utf-8")
    with outcome.timed("inspect"):
        inspected = asyncio.run(inspect_([str(staging / f"{PUBLIC_DATABASE}.db")], None))
    for database in inspected.values():
        database["file"] = Path(database["file"]).name  # the release directory is renamed after this
    (staging / "inspect.json").write_text(json.dumps(inspected, indent=2), encoding="utf-8")
    outcome.published = {item.entry.id: len(item.frame) for item in prepared}


def build(data_dir: Path, build_dir: Path, metadata_path: Path) -> tuple[Path, Outcome]:
    """Build a complete release privately, then switch it in; on any failure nothing served changes."""
    outcome = Outcome()
    manifest = load_manifest(data_dir / "manifest.yml")
    portal_metadata = metadata.load_portal_metadata(metadata_path)
    prepared = prepare(manifest, data_dir, outcome)
    staging = release.new_staging_dir(build_dir)
    try:
        _write_release(staging, manifest, prepared, portal_metadata, outcome)
        with outcome.timed("publish"):
            published = release.publish(staging, build_dir)
    except BaseException:
        release.discard(staging)
        raise
    return published, outcome


def _report(published: Path, outcome: Outcome) -> None:
    for dataset, rows in outcome.published.items():
        print(f"published {dataset}: {rows} rows")
    for dataset, reason in outcome.skipped.items():
        print(f"skipped {dataset}: {reason}")
    for repair in outcome.repairs:
        print(repair)
    steps = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in outcome.timings.items())
    print(f"release {published.name} is now current ({steps})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--metadata", type=Path, default=Path("metadata.yml"))
    args = parser.parse_args(argv)
    try:
        published, outcome = build(args.data, args.build, args.metadata)
    except (ManifestError, BuildFailed) as error:
        print(f"build failed, nothing was published:\n{error}", file=sys.stderr)
        return 1
    _report(published, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
