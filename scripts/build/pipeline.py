"""`make build`: republish every approved dataset from data/ into a new release under build/."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import sys
from contextlib import ExitStack
from pathlib import Path

from plugins.portal_site.compat import inspect_files
from plugins.portal_site.contract import COLUMN_DETAILS, PUBLIC, RESTRICTED, facet_counts_table
from scripts.build.anonymise.keys import secrets_for
from scripts.build.failures import describe
from scripts.build.gate import scan_frame
from scripts.build.prepare import PublishedTable, prepare
from scripts.build.publish import catalogue_table as catalogue
from scripts.build.publish import (
    contacts,
    disclosure,
    downloads,
    metadata,
    release,
    release_history,
    search_index,
    temporal,
    themes,
)
from scripts.build.publish.facet_count_table import facet_counts_metadata
from scripts.build.publish.references import find_code_lists, link_codes
from scripts.build.publish.write_sqlite import write_database
from scripts.build.spec.manifest import Manifest, ManifestError, load_manifest
from scripts.build.steps import BuildFailed, Outcome

# Importing datasette.cli installs Rich tracebacks that print every local variable, rows of personal data
# included; the build's errors are one plain line (scripts/build/failures.py), so Python's own hook comes back.
sys.excepthook = sys.__excepthook__


def gate(tables: list[PublishedTable], outcome: Outcome) -> None:
    """Scan every value about to be published; any personal data fails the build."""
    findings = []
    for item in tables:
        report = scan_frame(
            item.table.name,
            item.table.frame,
            known_names=outcome.known_names,
            known_addresses=outcome.known_addresses,
            allow=item.allow,
        )
        if not report.ok:
            findings.append(f"dataset '{item.entry.id}' ({item.database}.db): {report}")
    if findings:
        raise BuildFailed("personal data found in tables about to be published:\n" + "\n".join(findings))


def _write_database(
    staging: Path,
    database: str,
    tables: list[PublishedTable],
    manifest: Manifest,
    release_name: str,
    history: list[dict],
    timed,
    code_lists: dict,
    names: dict,
) -> dict:
    """Write one database file, its search index included (`names`: search_index.name_tables()), and return its
    table metadata (`code_lists`: references.find_code_lists())."""
    loads = [item.table for item in tables]
    table_metadata = {item.table.name: item.metadata for item in tables}
    table_metadata.update(link_codes(loads, code_lists))  # codes shown with their names; copies of code lists
    if database == PUBLIC:
        rows = [
            catalogue.catalogue_row(
                item.entry, manifest, len(item.table.frame), PUBLIC, temporal.coverage(item.table.frame)
            )
            for item in tables
        ]
        loads.append(catalogue.catalogue_table(rows))
        table_metadata[catalogue.TABLE] = catalogue.catalogue_metadata(manifest)
    reports = [item.report for item in tables if item.report]
    if reports or database == PUBLIC:
        loads.append(disclosure.report_table(reports, release_name))
        table_metadata[disclosure.TABLE] = disclosure.report_metadata()
    loads.append(release_history.history_table(history))
    table_metadata[release_history.TABLE] = release_history.history_metadata()
    for counted in write_database(staging / f"{database}.db", loads, timed):
        table_metadata[facet_counts_table(counted)] = facet_counts_metadata(counted, table_metadata[counted])
    with timed("search"):
        search_index.write_search_index(staging / f"{database}.db", tables, manifest, names)
    return table_metadata


def _write_release(
    staging: Path,
    manifest: Manifest,
    tables: list[PublishedTable],
    portal_metadata: dict,
    outcome: Outcome,
    release_name: str,
    previous: Path | None = None,
) -> None:
    merged = portal_metadata
    published_at = dt.datetime.now(release_history.VIETNAM)
    histories = {
        name: release_history.read_history(previous and previous / f"{name}.db") for name in (PUBLIC, RESTRICTED)
    }
    # restricted.db stays while it has history to carry, so that withdrawing its last dataset stays on record.
    restricted = histories[RESTRICTED] or any(t.database == RESTRICTED for t in tables)
    databases = [PUBLIC] + ([RESTRICTED] if restricted else [])
    code_lists = find_code_lists(tables)
    names = search_index.name_tables(code_lists)  # public lists that name the codes of both databases' tables
    written, files = {}, None
    with downloads.in_background() as background:
        for database in databases:
            mine = [t for t in tables if t.database == database]
            with outcome.timed("history"):
                added = release_history.record(histories[database], mine, release_name, published_at)
            written[database] = _write_database(
                staging,
                database,
                mine,
                manifest,
                release_name,
                histories[database] + added,
                outcome.timed,
                code_lists,
                names,
            )
            outcome.changes += added
            if database == PUBLIC:
                # Whole-table files of the public datasets only: a restricted table is read through its token, never
                # as a file. They are written beside the rest of the release, in a process of their own.
                files = background.submit(
                    staging,
                    staging / f"{PUBLIC}.db",
                    {t.table.name: written[PUBLIC][t.table.name].get(COLUMN_DETAILS) or {} for t in mine},
                )
        with outcome.timed("inspect"):
            inspected = asyncio.run(inspect_files([str(staging / f"{name}.db") for name in databases]))
        with outcome.timed("downloads (waited for)"):
            made, outcome.timings[downloads.STEP], outcome.parallel_peak_bytes = files.result()
    for table, table_files in made.items():
        written[PUBLIC][table] = dict(written[PUBLIC][table], **table_files)
    for database in databases:
        merged = metadata.release_metadata(merged, written[database], database)
    (staging / "metadata.json").write_text(json.dumps(merged, ensure_ascii=False, indent=2), encoding="utf-8")
    for database in inspected.values():
        database["file"] = Path(database["file"]).name  # the release directory is renamed after this
    (staging / "inspect.json").write_text(json.dumps(inspected, indent=2), encoding="utf-8")
    outcome.published = {t.entry.id: len(t.table.frame) for t in tables}


def build(data_dir: Path, build_dir: Path, metadata_path: Path) -> tuple[Path, Outcome]:
    """Build a complete release privately, then switch it in; on any failure nothing served changes."""
    outcome = Outcome()
    manifest = load_manifest(data_dir / "manifest.yml")
    portal_metadata = themes.with_themes(metadata.load_portal_metadata(metadata_path), themes.load(data_dir, manifest))
    portal_metadata = metadata.with_crawler_policy(portal_metadata)
    portal_metadata = contacts.with_contacts(portal_metadata, manifest)
    with ExitStack() as held:
        try:
            held.enter_context(release.exclusive(build_dir))
        except RuntimeError as error:  # another build holds the lock
            raise BuildFailed(str(error)) from None
        # The release is named before anything is derived: record tables draw their sample, order and
        # pseudonyms from secrets of this release (scripts/build/anonymise/keys.py).
        name = release.next_name(build_dir)
        # The release being served: its suppression patterns are kept, so that comparing releases reveals nothing.
        previous = release.current_release(build_dir)  # its history is carried into the new release too
        tables = prepare(manifest, data_dir, outcome, secrets_for(name), previous)
        with outcome.timed("gate"):
            gate(tables, outcome)
        staging = release.new_staging_dir(build_dir)
        try:
            _write_release(staging, manifest, tables, portal_metadata, outcome, name, previous)
            with outcome.timed("publish"):
                published = release.publish(staging, build_dir, name=name)
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
    for change in outcome.changes:
        print(f"release history: {change['dataset']} version {change['version']}: {change['summary_en']}")
    for line in outcome.disclosure:
        print(line)
    steps = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in outcome.timings.items())
    print(f"release {published.name} is now current ({steps})")


# A province build holds millions of small objects (source rows' words, index entries) that form no cycles; the
# cyclic collector would rescan them every 700 allocations, a third of the gate's time. It runs far less often.
GC_THRESHOLDS = (100_000, 50, 50)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--metadata", type=Path, default=Path("metadata.yml"))
    parser.add_argument(
        "--timings-json",
        type=Path,
        metavar="PATH",
        help="also write the release name, seconds per step and rows published as JSON (`make bench`)",
    )
    args = parser.parse_args(argv)
    try:
        published, outcome = build(args.data, args.build, args.metadata)
    except (ManifestError, BuildFailed) as error:
        return _failed(str(error))
    except KeyboardInterrupt:
        return _failed("interrupted", code=130)
    except Exception as error:  # anything else is one plain line too, never a traceback
        return _failed(describe(error))
    try:
        _report(published, outcome)
        if args.timings_json:
            record = {
                "release": published.name,
                "steps": outcome.timings,
                "published": outcome.published,
                "parallel_peak_bytes": outcome.parallel_peak_bytes,
            }
            args.timings_json.write_text(json.dumps(record, indent=2), encoding="utf-8")
    except Exception as error:
        print(f"release {published.name} is published, but reporting it failed: {describe(error)}", file=sys.stderr)
        return 1
    return 0


def _failed(reason: str, code: int = 1) -> int:
    print(f"build failed, nothing was published:\n{reason}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
