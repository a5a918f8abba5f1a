"""A code shown with its name (commune, procedure) on every page Datasette draws a cell on, row pages included.

The build declares a foreign key from each published code column to its code list and names the list's label column
in the metadata (scripts/build/publish/references.py). Datasette's table pages and facets then show the name; its row
pages do not expand foreign keys (0.65), so this hook does it there, the same way. In the restricted database the
code lists are hidden copies of public tables: the name links to the public table, which every reader may open.
"""

import weakref

import markupsafe
from datasette import hookimpl
from datasette.utils import tilde_encode

from .portal_site.contract import PUBLIC

# A code list larger than this is looked up code by code rather than read whole (communes: about 170 rows).
WHOLE_LIST_ROWS = 10_000

# Per served app (a release never changes under it): the code columns of each table, and each list's labels.
_links: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_labels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def code_links(datasette, database: str, table: str) -> dict[str, tuple[str, str, str]]:
    """column -> (code list table, its key, its label column) for the code columns of a table."""
    known = _links.setdefault(datasette, {})
    if (database, table) not in known:
        db = datasette.databases[database]
        links = {}
        if await db.table_exists(table):
            for fk in await db.foreign_keys_for_table(table):
                label = (datasette.table_metadata(database, fk["other_table"]) or {}).get("label_column")
                if label:
                    links[fk["column"]] = (fk["other_table"], fk["other_column"], label)
        known[(database, table)] = links
    return known[(database, table)]


async def label_of(datasette, database: str, code_list: str, key: str, label: str, code) -> str | None:
    lists = _labels.setdefault(datasette, {})
    db = datasette.databases[database]
    if (database, code_list) not in lists:
        rows = (await db.execute(f"select [{key}], [{label}] from [{code_list}] limit {WHOLE_LIST_ROWS + 1}")).rows
        lists[(database, code_list)] = {row[0]: row[1] for row in rows} if len(rows) <= WHOLE_LIST_ROWS else None
    whole = lists[(database, code_list)]
    if whole is not None:
        return whole.get(code)
    found = (await db.execute(f"select [{label}] from [{code_list}] where [{key}] = ?", [code])).rows
    return found[0][0] if found else None


async def _list_address(datasette, database: str, code_list: str, code) -> str:
    """The code's row in the code list readers may open: the public table when the list is a restricted copy."""
    public = datasette.databases.get(PUBLIC)
    if database != PUBLIC and public is not None and await public.table_exists(code_list):
        database = PUBLIC
    return datasette.urls.row(database, code_list, tilde_encode(str(code)))


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table is None or value is None or isinstance(value, bytes):
        return None
    known = _links.get(datasette, {}).get((database, table))
    if known is not None and column not in known:
        return None  # decided without a coroutine: a page of a hundred rows asks this for each of its cells

    async def with_name():
        link = (await code_links(datasette, database, table)).get(column)
        if link is None:
            return None
        code_list, key, label_column = link
        if isinstance(value, dict):  # a table page expanded it already
            code, label = value.get("value"), value.get("label")
            if database == PUBLIC:
                return None  # Datasette's own rendering, the same as below
        else:
            code = value
            label = await label_of(datasette, database, code_list, key, label_column, code)
        if label is None or str(label) == str(code):
            return None  # a total ("Tổng") or a withheld value: no name to show
        return markupsafe.Markup('<a href="{}">{}</a>&nbsp;<em>{}</em>').format(
            await _list_address(datasette, database, code_list, code), label, code
        )

    return with_name
