"""The portal's Datasette plugins, registered in one explicit order, as Datasette registers its DEFAULT_PLUGINS.

pyproject.toml names this module as the package's one `datasette` entry point: Datasette imports it while it loads
installed plugins (at `import datasette.app`), and it registers each module below. pluggy calls a hook's
implementations from the last registered to the first, so the modules are registered in reverse: where several
implement one hook (start-up, routes, permissions, template variables) they are called in the order listed, unless
an implementation says tryfirst/trylast. The ASGI layers have their own order, in middleware.py.

Nothing in a module below may import datasette.app or datasette.cli at import time: they are still being imported
when this runs (plugins/portal_site/compat.py imports them where it uses them).
"""

from .portal_site import compat

PLUGINS = (
    # Start-up, in this order: the SQL-time charge, the probes, the sort tie-breaker, the restricted tier's views,
    # then the permission and query caches, which keep what the others decided, and the facet counts, whose
    # rewritten queries are the ones the cache keeps.
    "rate_limit",
    "health",
    "stable_sort",
    "restricted_access",
    "permission_cache",
    "query_cache",
    "facet_counts",
    "page_cache",
    # Routes of the portal's own pages and files (none overlaps another).
    "dcat",
    "sitemap",
    "table_downloads",
    "debug_pages",
    "dataset_pages",
    "datapackage",
    "robots",
    "data_json",
    "releases_feed",
    "introspection",
    "catalogue_search",
    "api_docs",
    "ckan_api",
    "home_page",
    "public_requests",
    # Language, tokens, SQL limits, errors and their language, page scripts, names beside codes, facet order, and
    # the ASGI layers.
    "language_choice",
    "token_last_used",
    "sql_limits",
    "api_tokens",
    "bad_requests",
    "error_language",  # after bad_requests, which reads Datasette's English messages
    "table_language",
    "security_headers",
    "static_assets",
    "code_labels",
    "ordered_facets",
    "middleware",
)


compat.register_plugins([f"{__package__}.{name}" for name in PLUGINS], prefix="portal.")
