"""/sitemap.xml: every public page in both languages (home, API guide, each public dataset's page), with its
vi/en alternates and, for datasets, the date of their last change. Built for an anonymous visitor whoever asks,
so a partner token never puts a restricted dataset into a sitemap a crawler or cache could keep."""

from xml.sax.saxutils import escape, quoteattr

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, page_meta, releases

NAMESPACES = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"'


def entries(url: str, modified: str) -> list[str]:
    """One <url> per language, each listing both versions as alternates."""
    versions = page_meta.addresses(url)
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(href)}/>' for code, href in versions.items()
    )
    lastmod = f"<lastmod>{escape(modified)}</lastmod>" if modified else ""
    return [f"<url><loc>{escape(href)}</loc>{lastmod}{links}</url>" for href in versions.values()]


async def sitemap_xml(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    datasets = await catalogue.visible_datasets(datasette, None)
    dates = await releases.dates(datasette, None)
    latest = max((d["modified"] for d in dates.values()), default="")
    urls = entries(base + "/", latest) + entries(base + "/api", "")
    for entry in datasets:
        urls += entries(f"{base}/datasets/{entry['id']}", (dates.get(entry["id"]) or {}).get("modified", ""))
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NAMESPACES}>\n' + "\n".join(urls) + "\n</urlset>\n"
    return Response(body, content_type="application/xml; charset=utf-8")


@hookimpl
def register_routes():
    return [(r"^/sitemap\.xml$", sitemap_xml)]
