"""DCAT-AP catalogue as JSON-LD at /catalog.jsonld, listing only the datasets the requesting actor may see."""

import sys
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site import catalogue

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
               "annual": "ANNUAL", "irregular": "IRREG"}
ACCESS_RIGHTS = {"public": "PUBLIC", "restricted": "RESTRICTED"}
RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"


def texts(vi: str, en: str) -> list[dict]:
    """A literal in Vietnamese and English."""
    return [{"@value": vi, "@language": "vi"}] + ([{"@value": en, "@language": "en"}] if en else [])


def dataset(entry: dict, base: str) -> dict:
    """One dcat:Dataset with its CSV and JSON distributions."""
    table = base + entry["table_url"]
    licence = {"@id": catalogue.licence_url(entry["licence"])}
    node = {
        "@id": f"{base}/datasets/{entry['id']}",
        "@type": "dcat:Dataset",
        "dct:identifier": entry["id"],
        "dct:title": texts(entry["title_vi"], entry["title_en"]),
        "dct:description": texts(entry["description_vi"] or entry["title_vi"], entry["description_en"]),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": texts(entry["publisher"], entry["publisher_en"])},
        "dcat:keyword": [k.strip() for k in (entry["keywords"] or "").split(";") if k.strip()],
        "dcat:landingPage": {"@id": f"{base}/datasets/{entry['id']}"},
        "dct:accessRights": {"@id": RIGHTS + ACCESS_RIGHTS[entry["access"]]},
        "dct:license": licence,
        "dct:modified": {"@value": entry["release"].get("date"), "@type": "xsd:date"},
        "dcat:distribution": [
            {"@type": "dcat:Distribution", "dct:title": "CSV", "dcat:accessURL": {"@id": table},
             "dcat:downloadURL": {"@id": f"{table}.csv?_stream=on"}, "dcat:mediaType": "text/csv",
             "dct:license": licence},
            {"@type": "dcat:Distribution", "dct:title": "JSON", "dcat:accessURL": {"@id": table},
             "dcat:downloadURL": {"@id": f"{table}.json?_shape=array"}, "dcat:mediaType": "application/json",
             "dct:license": licence},
        ],
    }
    if entry["theme"]:
        node["dcat:theme"] = texts(entry["theme"], entry["theme_en"])
    if entry["update_frequency"] in FREQUENCIES:
        node["dct:accrualPeriodicity"] = {"@id": FREQUENCY + FREQUENCIES[entry["update_frequency"]]}
    return node


async def catalog_jsonld(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    entries = await catalogue.visible_datasets(datasette, request.actor)
    document = {
        "@context": CONTEXT,
        "@id": f"{base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": texts(*catalogue.portal_titles(datasette)),
        "dct:description": texts(*catalogue.portal_descriptions(datasette)),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": texts(*catalogue.portal_publisher(datasette))},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/VIE"},
        "foaf:homepage": {"@id": base + "/"},
        "dcat:dataset": [dataset(entry, base) for entry in entries],
    }
    return Response.json(document, headers={"content-type": "application/ld+json; charset=utf-8"})


@hookimpl
def register_routes():
    return [(r"^/catalog\.jsonld$", catalog_jsonld)]
