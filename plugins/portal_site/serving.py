"""Which release this process serves, for the response header and the health endpoints."""

from __future__ import annotations

from pathlib import Path

from . import catalogue


def served_release(datasette) -> str:
    """The release's name (NNNN), or "" when the public database is not a release's file.

    Read from the path alone: the probes must still answer (503, not 500) once a pruned release's files are gone.
    """
    database = datasette.databases.get(catalogue.PUBLIC)
    if database is None or not database.path:
        return ""
    name = Path(database.path).parent.name
    return name if name.isdigit() else ""
