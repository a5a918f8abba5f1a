"""/-/databases and /-/metadata show each visitor only the databases and tables it may view; /-/databases never
says where their files are on the server."""

import copy

from datasette import hookimpl

from .portal_site import compat
from .portal_site.contract import RESTRICTED_TIER_CONFIG

CONFIG = RESTRICTED_TIER_CONFIG
# Plugin settings that describe how tokens are checked; nobody needs them from the outside.
PRIVATE_PLUGIN_CONFIG = (CONFIG, "datasette-auth-tokens")


async def _visible_databases(datasette, actor) -> list[str]:
    names = []
    for name in datasette.databases:
        visible, _ = await datasette.check_visibility(actor, permissions=[("view-database", name), "view-instance"])
        if visible and name != "_internal":
            names.append(name)
    return names


async def visible_metadata(datasette, actor) -> dict:
    """Datasette's metadata without the databases and tables the actor may not view, nor the tier's settings."""
    metadata = copy.deepcopy(datasette.metadata())
    plugins = metadata.get("plugins") or {}
    for name in PRIVATE_PLUGIN_CONFIG:
        plugins.pop(name, None)
    visible = await _visible_databases(datasette, actor)
    databases = metadata.get("databases") or {}
    for database in list(databases):
        if database not in visible:
            del databases[database]
            continue
        tables = databases[database].get("tables") or {}
        for table in list(tables):
            shown, _ = await datasette.check_visibility(actor, "view-table", (database, table))
            if not shown:
                del tables[table]
    return metadata


async def visible_databases(datasette, actor) -> list[dict]:
    """Datasette's list of connected databases, without those the actor may not view."""
    visible = await _visible_databases(datasette, actor)
    return [
        {key: value for key, value in database.items() if key != "path"}
        for database in compat.connected_databases(datasette)
        if database["name"] in visible
    ]


def _json_view(datasette, filename, describe):
    async def view(request, send):
        data = await describe(datasette, request.actor)
        return await compat.json_data_view(datasette, filename, lambda: data)(request, send)

    return view


@hookimpl
def register_routes(datasette):
    # Matched before Datasette's own routes for the same paths, which list everything to everyone, with the absolute
    # path of each database file.
    routes = [(r"^/-/databases(\.(?P<format>json))?$", _json_view(datasette, "databases.json", visible_databases))]
    if datasette.plugin_config(CONFIG):
        routes.append((r"^/-/metadata(\.(?P<format>json))?$", _json_view(datasette, "metadata.json", visible_metadata)))
    return routes
