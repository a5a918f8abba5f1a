"""The names and addresses of the people in the portal's sources, collected as the build collects them for the gate."""

from __future__ import annotations

from pathlib import Path

from scripts.build.prepare import Sources, SpecLoader
from scripts.build.spec.manifest import ManifestError, Spec, load_manifest
from scripts.build.steps import BuildFailed, Outcome
from scripts.ops.drafting.measures import KnownPeople


def portal_people(data_dir: Path) -> tuple[KnownPeople, list[str]]:
    """The known people of every approved dataset's source, and a line for each source that could not be read.

    A drafted file's names are then measured against the people the portal already holds, the way the gate
    will look for them in every published table.
    """
    try:
        manifest = load_manifest(data_dir / "manifest.yml")
    except ManifestError as error:
        return KnownPeople(), [f"names of the portal's sources not used: {str(error).splitlines()[0]}"]
    entries = [entry for entry in manifest.datasets if entry.approved]
    specs, sources = SpecLoader(data_dir), Sources(data_dir, Outcome(), entries)
    unread, seen = [], set()
    for entry in entries:
        try:
            spec = specs.load(entry.spec, entry.id)
            if not isinstance(spec, Spec):
                spec = specs.load(f"specs/{spec.derive.source}.yml", entry.id)
            if any(c.role == "direct_identifier" for c in spec.columns) and (id(spec), *entry.source.files) not in seen:
                seen.add((id(spec), *entry.source.files))
                sources.read(entry.id, spec, entry.source.files)
        except (ManifestError, BuildFailed):
            # Not quoted: a source's problem may show its values; `make build` reports it with file:line:column.
            unread.append(f"names of dataset '{entry.id}' not used: its spec or source has problems (see make build)")
        finally:
            sources.done_with(entry.source.files)
    return KnownPeople(frozenset(sources.known_names), frozenset(sources.known_addresses)), unread
