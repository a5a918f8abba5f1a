"""Project Open Data v1.1 catalogue at /data.json, listing only the datasets the requesting actor may see."""

import sys
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site import catalogue

CONFIG = "portal-catalogue"
PERIODICITY = {"daily": "R/P1D", "weekly": "R/P1W", "monthly": "R/P1M", "quarterly": "R/P3M",
               "annual": "R/P1Y", "irregular": "irregular"}
# "restricted public": available under conditions, which is what a partner-agency token is.
ACCESS_LEVEL = {"public": "public", "restricted": "restricted public"}


def dataset(entry: dict, base: str, email: str | None) -> dict:
    """One POD dataset with its CSV and JSON distributions."""
    table = base + entry["table_url"]
    contact = {"@type": "vcard:Contact", "fn": entry["publisher"]}
    if email:
        contact["hasEmail"] = f"mailto:{email}"
    keywords = [k.strip() for k in (entry["keywords"] or "").split(";") if k.strip()]
    item = {
        "@type": "dcat:Dataset",
        "identifier": f"{base}/datasets/{entry['id']}",
        "title": entry["title_vi"],
        "description": entry["description_vi"] or entry["title_vi"],
        "keyword": keywords or [entry["id"]],
        "modified": entry["release"].get("date"),
        "publisher": {"@type": "org:Organization", "name": entry["publisher"]},
        "contactPoint": contact,
        "accessLevel": ACCESS_LEVEL[entry["access"]],
        "license": catalogue.licence_url(entry["licence"]),
        "landingPage": f"{base}/datasets/{entry['id']}",
        "language": ["vi"],
        "distribution": [
            {"@type": "dcat:Distribution", "title": "CSV", "downloadURL": f"{table}.csv?_stream=on",
             "mediaType": "text/csv", "format": "CSV"},
            {"@type": "dcat:Distribution", "title": "JSON API", "accessURL": f"{table}.json",
             "format": "API", "describedBy": f"{base}/openapi.json"},
        ],
    }
    if entry["update_frequency"] in PERIODICITY:
        item["accrualPeriodicity"] = PERIODICITY[entry["update_frequency"]]
    if entry["theme"]:
        item["theme"] = [entry["theme"]]
    return item


async def data_json(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    email = (datasette.plugin_config(CONFIG) or {}).get("contact_email")
    entries = await catalogue.visible_datasets(datasette, request.actor)
    return Response.json({
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dataset": [dataset(entry, base, email) for entry in entries],
    })


@hookimpl
def register_routes():
    return [(r"^/data\.json$", data_json)]
