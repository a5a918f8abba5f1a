"""Facets of ordered categories (age bands, months) list their values in order, not by count.

Datasette 0.65 orders every facet's values by count; its facet template (templates/_facet_results.html, the
project's copy of Datasette's) passes them through the `in_natural_order` filter registered here, which reorders
only the columns the table's metadata marks as ordered. The JSON API keeps Datasette's documented order by count.
"""

from datasette import hookimpl

from .portal_site.category_order import in_natural_order


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["in_natural_order"] = in_natural_order
