"""Who may read the restricted database: only partner-agency tokens, only the tables they were issued; default deny."""

import re

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden

from .portal_site import compat
from .portal_site.contract import RESTRICTED_TIER_CONFIG

CONFIG = RESTRICTED_TIER_CONFIG
TOKEN_ACTOR_PREFIX = "token:"
ALL_DATASETS = "*"
# Reading is all a token may do: arbitrary SQL (execute-sql, and with it ?_where=) would bypass per-table grants,
# and a download is every table at once.
READ_ACTIONS = ("view-database", "view-table")
TABLE_REFUSAL = "You do not have permission to view this table"


def granted_tables(actor) -> set[str] | None:
    """The restricted tables a token actor may read ({"*"} for all), or None when the actor holds no token."""
    if not isinstance(actor, dict) or not str(actor.get("id", "")).startswith(TOKEN_ACTOR_PREFIX):
        return None
    return {name.strip() for name in str(actor.get("datasets") or "").split(",") if name.strip()}


def allowed(actor, action: str, table: str | None) -> bool:
    """The rule for one action on the restricted database."""
    granted = granted_tables(actor)
    if not granted or action not in READ_ACTIONS:
        return False
    if action == "view-database":
        return True
    return ALL_DATASETS in granted or table in granted


@hookimpl
def startup(datasette):
    config = datasette.plugin_config(CONFIG)
    if config:
        for key in ("database", "tokens_database"):
            if config.get(key) not in datasette.databases:
                raise ValueError(f"plugin {CONFIG}: {key} {config.get(key)!r} is not a mounted database")
        # A revocation must count whatever happened to the tokens file: restored from a backup with `mv`, deleted.
        # Each token check reads the file now at the path, and while there is none every token is refused.
        compat.follow_database_file(datasette, config["tokens_database"])


@hookimpl(trylast=True)
def permission_allowed(datasette, actor, action, resource):
    # trylast: Datasette keeps the last answer that is not None, so this one wins over metadata and other plugins.
    config = datasette.plugin_config(CONFIG)
    if not config:
        return None
    database, table = resource if isinstance(resource, (tuple, list)) else (resource, None)
    if database == config["tokens_database"]:
        return False
    if database != config["database"]:
        return None  # the public database and the instance keep Datasette's defaults: open to all
    return allowed(actor, action, table)


@hookimpl
def register_routes(datasette):
    # Datasette answers 404 for a missing table before it checks permissions, which would let anyone probe the
    # restricted table names; this route, matched before Datasette's own, checks first and then hands over.
    config = datasette.plugin_config(CONFIG)
    if not config:
        return []
    databases = "|".join(re.escape(config[key]) for key in ("database", "tokens_database"))
    table_view = compat.table_view(datasette)

    async def table_after_permission_check(request, send):
        database = tilde_decode(request.url_vars["database"])
        table = tilde_decode(request.url_vars["table"])
        visible, _ = await datasette.check_visibility(
            request.actor,
            permissions=[("view-table", (database, table)), ("view-database", database), "view-instance"],
        )
        if not visible:
            raise Forbidden(TABLE_REFUSAL)
        return await table_view(request, send)

    return [(rf"^/(?P<database>{databases})/(?P<table>[^\/\.]+)(\.(?P<format>\w+))?$", table_after_permission_check)]
