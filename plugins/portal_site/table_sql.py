"""Reading the SQL Datasette 0.65's table view generates: its identifiers, as escape_sqlite() and the filters write
them (a bare name, [name] or "name"). The sort tie-breaker and the facet counts recognise that SQL by its shape."""

from __future__ import annotations

IDENTIFIER = r'(?:\[[^\]]+\]|"(?:[^"]|"")+"|\w+)'


def unquote(identifier: str) -> str:
    if identifier.startswith("["):
        return identifier[1:-1]
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier
