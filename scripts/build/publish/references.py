"""Foreign keys from published codes to the code lists that name them, so Datasette shows the name beside the code.

A code list is a public table published as delivered whose spec names a `label_column` (communes: commune_name,
procedures: procedure_name). Any other published table with a column named like the list's key (commune_code,
procedure_code) gets a foreign key to it, when the column holds at least one code of the list: a records table
published at the whole-province level holds only "Toàn tỉnh", and no key. Totals ("Tổng") and withheld values stay
as they are; SQLite does not enforce the keys of a file that is only read (`PRAGMA foreign_key_check` lists them).

Datasette follows foreign keys within one database only, so restricted.db gets a copy of each public code list
its tables refer to: public data only, hidden from its table list, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugins.portal_site.contract import PUBLIC
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.steps import BuildFailed


@dataclass(frozen=True)
class CodeList:
    table: TableToLoad  # as the public database publishes it
    key: str
    label: str
    metadata: dict


def find_code_lists(tables) -> dict[str, CodeList]:
    """The release's code lists by key column, from its published tables (scripts/build/prepare.PublishedTable)."""
    found: dict[str, CodeList] = {}
    for item in tables:
        label = getattr(item.spec, "label_column", None)
        if item.database != PUBLIC or not label:
            continue
        key = item.spec.primary_key[0]
        if key in found:
            raise BuildFailed(
                f"datasets '{found[key].table.name}' and '{item.entry.id}' are both code lists of "
                f"'{key}' (label_column in their specs); keep label_column in one of them"
            )
        found[key] = CodeList(item.table, key, label, item.metadata)
    return found


def _copy(code_list: CodeList) -> tuple[TableToLoad, dict]:
    """A code list for another database: its rows, key and labels, without search or the public table's page."""
    table = code_list.table
    copy = TableToLoad(name=table.name, frame=table.frame, types=dict(table.types), primary_key=list(table.primary_key))
    metadata = {
        "label_column": code_list.label,
        "columns": dict(code_list.metadata.get("columns") or {}),
        # No title: the restricted catalogue lists titled tables only, and this one is public at /portal/<table>.
        "hidden": True,
        "description_html": f'<p>Bản sao của bảng công khai <a href="/{PUBLIC}/{table.name}">{table.name}</a>. '
        f'<span lang="en">Copy of the public table.</span></p>',
    }
    return copy, metadata


def link_codes(tables: list[TableToLoad], lists: dict[str, CodeList]) -> dict[str, dict]:
    """Declare the foreign keys of `tables` (the published tables of one database), with an index on each key column.

    Returns the copies of public code lists this database needs, by name, with their metadata; the caller writes
    them with the rest (they are appended to `tables`).
    """
    present = {table.name for table in tables}
    copies: dict[str, dict] = {}
    for table in list(tables):
        for key, code_list in lists.items():
            if table.name == code_list.table.name or key not in table.frame.columns:
                continue
            if not table.frame[key].isin(code_list.table.frame[key]).any():
                continue
            table.foreign_keys.append((key, code_list.table.name, key))
            # The row page of a code counts the rows referring to it in every such table: an index leading with
            # the column answers that without reading the table (the key's own index when it leads the key).
            if table.primary_key[:1] != [key] and not any(index[:1] == [key] for index in table.indexes):
                table.indexes.append([key])
            if code_list.table.name not in present:
                copy, metadata = _copy(code_list)
                tables.append(copy)
                present.add(copy.name)
                copies[copy.name] = metadata
    return copies
