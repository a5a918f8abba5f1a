"""The public portal answers 404 for Datasette's debug pages; the introspection pages it documents as safe stay."""

from datasette import hookimpl
from datasette.utils.asgi import NotFound

# Kept: /-/metadata, /-/databases (both filtered by the introspection plugin when the restricted tier is on),
# /-/settings (the limits API clients must respect) and /-/actor (the caller's own identity). Refused: exact software
# versions and installed plugins, which tell an attacker what to try; threads and asyncio tasks, which show
# internals; and the debug tools (messages, allow blocks, permission checks, pattern portfolio, root login).
DEBUG_PAGES = ("versions", "plugins", "threads", "messages", "allow-debug", "permissions", "patterns", "auth-token")


async def not_found(request):
    raise NotFound("Page not found")


@hookimpl
def register_routes(datasette):
    # Routes of plugins are matched before Datasette's own.
    return [(rf"^/-/({'|'.join(DEBUG_PAGES)})(\.json)?$", not_found)]
