"""Which release this process serves, for the response header and the health endpoints."""

from __future__ import annotations

from . import catalogue


def served_release(datasette) -> str:
    """The release's name (NNNN), or "" when the public database is not a release's file."""
    database = datasette.databases.get(catalogue.PUBLIC)
    if database is None or not database.path:
        return ""
    return catalogue.release_of(datasette)["name"]
