"""Turn each approved manifest entry into the table it publishes: read, check, anonymise where needed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from scripts.build.anonymise.aggregate import PlannedAggregate
from scripts.build.anonymise.derive import derive
from scripts.build.anonymise.previous import PreviousRelease
from scripts.build.anonymise.protect import materialise, protect_database
from scripts.build.anonymise.pseudonym import PseudonymKeyMissing
from scripts.build.gate import AllowRule
from scripts.build.publish import metadata
from scripts.build.publish.disclosure import DisclosureReport
from scripts.build.publish.indexes import indexes_for
from scripts.build.publish.write_sqlite import SQL_TYPES, TableToLoad
from scripts.build.read.extract import ExtractError, read_csv
from scripts.build.read.validate import validate
from scripts.build.spec.derived_spec import DerivedSpec, Reference
from scripts.build.spec.manifest import DatasetEntry, Manifest, ManifestError, Spec, load_spec
from scripts.build.spec.spec_errors import describe, located
from scripts.build.steps import BuildFailed, Outcome

DATABASE_OF_TIER = {"public": "portal", "restricted": "restricted"}


@dataclass
class PublishedTable:
    """One table of the release, with where it goes, its metadata and what was done to it."""

    entry: DatasetEntry
    database: str
    table: TableToLoad
    metadata: dict
    report: DisclosureReport | None = None
    allow: list[AllowRule] = field(default_factory=list)
    spec: Spec | DerivedSpec | None = None
    planned: PlannedAggregate | None = None  # a count table waiting for the joint audit


@dataclass
class BuildContext:
    """What deriving a table may need beyond its own source: keys, other datasets, the previous release."""

    key_source: object
    lookup: object  # Reference -> the referenced dataset's column, indexed by its group column when asked
    previous: object  # dataset id -> the table as the previous release published it, or None
    require_targets: bool = True
    memo: dict = field(default_factory=dict)  # work shared by tables of one source (record keys)


@dataclass
class SourceData:
    """A source read once per build, with the spec that typed it."""

    spec: Spec
    frame: pd.DataFrame


class Sources:
    """Reads and validates each source file set once, however many published tables derive from it.

    A source is dropped once the last dataset that uses it is prepared, so that a province-scale build holds
    one large source at a time, not all of them; the names and addresses the gate looks for are collected as it
    is read.
    """

    def __init__(self, data_dir: Path, outcome: Outcome, entries: list[DatasetEntry]):
        self.data_dir, self.outcome = data_dir, outcome
        self.uses = Counter(tuple(entry.source.files) for entry in entries)  # datasets still to prepare, by files
        self.limits: dict[str, int] = {}  # file -> the largest size limit a dataset reading it declares
        for entry in entries:
            for name in entry.source.files if entry.source.max_bytes else []:
                self.limits[name] = max(self.limits.get(name, 0), entry.source.max_bytes)
        self._cache: dict[tuple, SourceData] = {}
        self.known_names: set[str] = set()
        self.known_addresses: set[str] = set()

    def read(self, dataset: str, spec: Spec, files: list[str]) -> SourceData:
        key = (id(spec), tuple(files))
        if key not in self._cache:
            self._cache[key] = SourceData(spec, self._extract_and_validate(dataset, spec, files))
            self.known_names |= known_names(self._cache[key])
            self.known_addresses |= known_addresses(self._cache[key])
        return self._cache[key]

    def done_with(self, files: list[str]) -> None:
        """One dataset using these files is prepared; drop the source when none is left."""
        self.uses[tuple(files)] -= 1
        if self.uses[tuple(files)] <= 0:
            self._cache = {key: data for key, data in self._cache.items() if key[1] != tuple(files)}

    def _extract_and_validate(self, dataset: str, spec: Spec, files: list[str]) -> pd.DataFrame:
        frames, problems = [], []
        for name in files:
            with self.outcome.timed("extract"):
                try:
                    raw = read_csv(self.data_dir / name, self.limits.get(name))
                except ExtractError as error:
                    problems.append(f"dataset '{dataset}': {error}")
                    continue
            with self.outcome.timed("validate"):
                checked = validate(raw, spec)
            self.outcome.repairs += [f"dataset '{dataset}': repaired {r}" for r in checked.repairs]
            problems += [f"dataset '{dataset}': {p}" for p in checked.problems]
            if checked.frame is not None:
                frames.append(checked.frame)
        if problems:
            raise BuildFailed("\n".join(problems))
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if len(frames) > 1 and frame.duplicated(subset=spec.primary_key).any():
            raise BuildFailed(f"dataset '{dataset}': duplicate primary key {spec.primary_key} across source files")
        return frame


class SpecLoader:
    """Loads specs by file, telling source specs from derived ones, each parsed once."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._cache: dict[Path, Spec | DerivedSpec] = {}

    def load(self, relative: str, dataset: str) -> Spec | DerivedSpec:
        path = self.data_dir / relative
        if path not in self._cache:
            self._cache[path] = self._parse(path, dataset)
        return self._cache[path]

    def _parse(self, path: Path, dataset: str) -> Spec | DerivedSpec:
        try:
            head = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            head = None  # load_spec reports the problem with its location
        if isinstance(head, dict) and "derive" in head:
            from pydantic import ValidationError

            try:
                return DerivedSpec.model_validate(head)
            except ValidationError as error:
                raise ManifestError(
                    "\n".join(f"dataset '{dataset}': {line}" for line in describe(error, head, path, DerivedSpec))
                ) from None
        return load_spec(path, dataset)

    def source_of(self, entry: DatasetEntry, spec: DerivedSpec) -> Spec:
        """The as-delivered spec a derived spec reads, once every column it takes from it is found there."""
        path = self.data_dir / entry.spec
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # parsed once already: it reads
        relative = f"specs/{spec.derive.source}.yml"
        if not (self.data_dir / relative).is_file():
            known = ", ".join(sorted(p.stem for p in (self.data_dir / "specs").glob("*.yml")))
            problems = [(("derive", "source"), f"no spec file {relative}; spec files: {known}")]
        else:
            source = self.load(relative, entry.id)
            problems = (
                spec.check_against(source)
                if isinstance(source, Spec)
                else [(("derive", "source"), f"'{spec.derive.source}' is itself derived; name an as-delivered source")]
            )
        if problems:
            raise ManifestError("\n".join(f"dataset '{entry.id}': {line}" for line in located(path, raw, problems)))
        return source


def why_not_publishable(entry: DatasetEntry, spec: Spec | DerivedSpec) -> str | None:
    """A reason to skip the dataset, or None when it may be published."""
    if not entry.approved:
        return f"approval status is '{entry.approval.status}', not 'approved'"
    if isinstance(spec, Spec):
        personal = [c.name for c in spec.columns if c.role != "attribute"]
        if personal:
            return f"columns {personal} hold personal data; publish a derived table with anonymisation rules instead"
    return None


def plain_table(entry: DatasetEntry, spec: Spec, frame: pd.DataFrame) -> TableToLoad:
    """A source published as it is: its key, indexes on facet and sortable columns, full-text search."""
    return TableToLoad(
        name=entry.id,
        frame=frame,
        types={c.name: SQL_TYPES[c.type] for c in spec.columns},
        primary_key=spec.primary_key,
        indexes=indexes_for(spec.facets, spec.sortable, len(frame)),
        facets=spec.facets,
        fts=spec.fts,
    )


def prepare(
    manifest: Manifest, data_dir: Path, outcome: Outcome, key_source, previous_release: Path | None = None
) -> list[PublishedTable]:
    """Every publishable table of the manifest; others are reported; any problem fails the whole build.

    `key_source` returns the build's secrets (scripts/build/anonymise/keys.py); it is called only for record tables
    and perturbed count tables, so a build without them needs no key. Count tables
    are audited together once all are planned, each database on its own.
    """
    specs, sources = SpecLoader(data_dir), Sources(data_dir, outcome, manifest.datasets)
    context = BuildContext(
        key_source,
        _lookup(manifest, specs, sources),
        PreviousRelease(previous_release).table,
        require_targets=manifest.disclosure.when_targets_unmet == "fail",
    )
    tables, failures = [], []
    for entry in manifest.datasets:
        try:
            _prepare_entry(entry, specs, sources, manifest, outcome, context, tables)
        except (ManifestError, BuildFailed) as error:
            failures.append(str(error))
        except PseudonymKeyMissing as error:
            failures.append(f"dataset '{entry.id}': {error}")
        finally:
            sources.done_with(entry.source.files)
    if failures:
        raise BuildFailed("\n".join(failures))
    with outcome.timed("protect"):
        _protect_jointly(tables, manifest, specs, outcome)
    outcome.known_names = frozenset(sources.known_names)
    outcome.known_addresses = frozenset(sources.known_addresses)
    return tables


def _protect_jointly(tables: list[PublishedTable], manifest: Manifest, specs: SpecLoader, outcome: Outcome) -> None:
    """The joint audit of each database's count tables, then their rows, reports and metadata."""
    for database in DATABASE_OF_TIER.values():
        mine = [t for t in tables if t.database == database]
        protect_database(
            [t.planned for t in mine if t.planned],
            [t for t in mine if isinstance(t.spec, Spec)],
            require_targets=manifest.disclosure.when_targets_unmet == "fail",
            samples=[t for t in mine if t.report and t.report.method == "records"],
        )
    for item in tables:
        if item.planned is None:
            continue
        item.table, item.report = materialise(item.planned, item.spec)
        levels = ", ".join(f"{d.output} ({d.level_name})" for d in item.planned.derive.dimensions)
        outcome.disclosure.append(
            f"disclosure {item.entry.id}: {levels}; {item.planned.utility()}"
            + ("" if item.planned.targets_met else " (utility targets missed: see its disclosure report)")
        )
        source_spec = specs.load(f"specs/{item.spec.derive.source}.yml", item.entry.id)
        item.metadata = metadata.derived_table_metadata(
            item.entry, item.planned.spec, source_spec, manifest, item.report
        )


def _lookup(manifest: Manifest, specs: SpecLoader, sources: Sources):
    """A reader of other datasets' columns, for categories and groups declared by reference."""
    entries = {entry.id: entry for entry in manifest.datasets}

    def lookup(reference: Reference) -> pd.Series:
        entry = entries.get(reference.dataset)
        spec = entry and specs.load(entry.spec, entry.id)
        if not isinstance(spec, Spec) or not {reference.column, reference.group_by or reference.column} <= {
            c.name for c in spec.columns
        }:
            offered = (
                f"its columns: {', '.join(c.name for c in spec.columns)}"
                if isinstance(spec, Spec)
                else "as-delivered datasets: "
                + ", ".join(e.id for e in manifest.datasets if isinstance(specs.load(e.spec, e.id), Spec))
            )
            raise ManifestError(
                f"refers to column '{reference.group_by or reference.column}' of dataset "
                f"'{reference.dataset}', which is not an as-delivered dataset with that column; "
                f"{offered}"
            )
        frame = sources.read(entry.id, spec, entry.source.files).frame
        if reference.group_by is None:
            return frame[reference.column].astype("string")
        return frame.set_index(reference.column)[reference.group_by].astype("string")

    return lookup


def _prepare_entry(
    entry: DatasetEntry,
    specs: SpecLoader,
    sources: Sources,
    manifest: Manifest,
    outcome: Outcome,
    context: BuildContext,
    tables: list[PublishedTable],
) -> None:
    """Add the table one manifest entry publishes, or record why it is skipped."""
    spec = specs.load(entry.spec, entry.id)
    reason = why_not_publishable(entry, spec)
    if reason:
        outcome.skipped[entry.id] = reason
        return
    database = DATABASE_OF_TIER[entry.access]
    if isinstance(spec, Spec):
        frame = sources.read(entry.id, spec, entry.source.files).frame.copy()
        table = plain_table(entry, spec, frame)
        tables.append(PublishedTable(entry, database, table, metadata.table_metadata(entry, spec, manifest), spec=spec))
        return
    source_spec = specs.source_of(entry, spec)
    source = sources.read(entry.id, source_spec, entry.source.files)
    with outcome.timed("anonymise"):
        try:
            derived = derive(entry, spec, source_spec, source.frame, context)
        except ManifestError as error:  # a reference to another dataset (categories_from, groups_from)
            raise ManifestError(f"dataset '{entry.id}': {specs.data_dir / entry.spec}: {error}") from None
    allow = [AllowRule(**rule.model_dump()) for rule in spec.gate_allow]
    if isinstance(derived, PlannedAggregate):
        tables.append(PublishedTable(entry, database, None, {}, None, allow, spec=spec, planned=derived))
        return
    tables.append(
        PublishedTable(
            entry,
            database,
            derived.table,
            metadata.derived_table_metadata(entry, spec, source_spec, manifest, derived.report),
            derived.report,
            allow,
            spec=spec,
        )
    )


def known_names(source: SourceData) -> set[str]:
    """Every value of a direct-identifier text column that looks like a person's full name."""
    names: set[str] = set()
    for column in source.spec.columns:
        if column.role != "direct_identifier" or column.type != "text" or _holds_addresses(column):
            continue
        values = pd.Series(source.frame[column.name].dropna().unique(), dtype=source.frame[column.name].dtype)
        looks_like_name = values.str.fullmatch(r"[^\d,;/@]+") & (values.str.count(r"\s+") >= 1)
        names.update(values[looks_like_name].tolist())
    return names


def known_addresses(source: SourceData) -> set[str]:
    """Every value of a direct-identifier text column that holds addresses (the gate keeps those with a house
    number)."""
    addresses: set[str] = set()
    for column in source.spec.columns:
        if column.role == "direct_identifier" and column.type == "text" and _holds_addresses(column):
            addresses.update(source.frame[column.name].dropna().unique().tolist())
    return addresses


def _holds_addresses(column) -> bool:
    """Whether a column's name or English label says it holds addresses ('address', 'dia_chi')."""
    return bool(re.search(r"(?:^|_)(?:address|dia_chi|diachi)(?:_|$)", column.name)) or (
        "address" in column.label.en.lower()
    )
