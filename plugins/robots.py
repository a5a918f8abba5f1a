"""/robots.txt: crawlers index the catalogue and dataset pages, not the restricted tier, SQL or facet combinations."""

from datasette import hookimpl
from datasette.utils.asgi import Response

ROBOTS = """\
User-agent: *
Disallow: /restricted
Disallow: /-/
Disallow: /*?sql=
Disallow: /*_facet=
Disallow: /*_next=
Disallow: /*.db
Allow: /
"""


async def robots_txt(datasette, request):
    sitemap = datasette.absolute_url(request, "/sitemap.xml")
    return Response.text(f"{ROBOTS}\nSitemap: {sitemap}\n")


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots_txt)]
