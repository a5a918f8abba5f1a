"""The DCAT-AP 3.0 catalogue, listing only the datasets the requesting actor may see: JSON-LD at /catalog.jsonld,
Turtle at /catalog.ttl, RDF/XML at /catalog.rdf; /catalog chooses among them by the Accept header and redirects
(303 See Other) to the chosen one, so that every address has one representation: the ETags (revalidation.py) and
the nginx cache, both keyed by address, stay right.

The JSON-LD document is built once per request; Turtle and RDF/XML are rdflib's serialisations of the graph it
describes, so the three formats cannot disagree.
"""

import json

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, dcat_ap, releases

FORMATS = {
    "jsonld": ("application/ld+json", None),
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "pretty-xml"),
}
ACCEPTED = {
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
}


def negotiated(accept: str) -> str:
    """The format an Accept header prefers (q-values honoured, ties in the header's order); JSON-LD by default."""
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *parameters = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media.lower() in ACCEPTED and quality > 0:
            choices.append((-quality, position, ACCEPTED[media.lower()]))
    return min(choices)[2] if choices else "jsonld"


async def respond(datasette, request, extension: str) -> Response:
    base = datasette.absolute_url(request, "/").rstrip("/")
    entries = await catalogue.visible_datasets(datasette, request.actor)
    document = dcat_ap.document(datasette, base, entries, await releases.dates(datasette, request.actor))
    media, rdflib_format = FORMATS[extension]
    if rdflib_format is None:
        body = json.dumps(document, ensure_ascii=False)
    else:
        from rdflib import Graph  # imported when asked for: most requests are for JSON-LD

        body = Graph().parse(data=json.dumps(document), format="json-ld").serialize(format=rdflib_format)
    return Response(body, content_type=f"{media}; charset=utf-8")


async def catalog_file(datasette, request):
    return await respond(datasette, request, request.url_vars["extension"])


async def catalog(request):
    location = f"/catalog.{negotiated(request.headers.get('accept', ''))}"
    return Response("", status=303, headers={"Location": location, "Vary": "Accept", "Cache-Control": "no-store"})


@hookimpl
def register_routes():
    return [(r"^/catalog\.(?P<extension>jsonld|ttl|rdf)$", catalog_file), (r"^/catalog$", catalog)]
