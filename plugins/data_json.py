"""Project Open Data v1.1 catalogue at /data.json, listing only the datasets the requesting actor may see.

bureauCode and programCode, which the schema requires of US federal agencies (OMB's codes), are left out: a
provincial catalogue has none, and data.gov's schema for non-federal catalogues does not ask for them.
"""

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, releases, table_files
from .portal_site import vocabularies as v

PERIODICITY = {
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "annual": "R/P1Y",
    "irregular": "irregular",
}
# "restricted public": available under conditions, which is what a partner-agency token is.
ACCESS_LEVEL = {"public": "public", "restricted": "restricted public"}


def themes(entry: dict, mapping: dict) -> list[str]:
    """The portal's theme, the data.gov.vn theme group and the EU data theme, in that order."""
    theme = mapping.get(entry["theme_id"]) or {}
    names = [entry["theme"], (theme.get("national") or {}).get("vi"), v.EU_THEMES.get(theme.get("eu"))]
    return list(dict.fromkeys(name for name in names if name))


def xlsx_distribution(entry: dict, base: str) -> list[dict]:
    """The release's XLSX file of a public dataset, or nothing."""
    download = table_files.file_download(entry, base, "xlsx")
    if download is None:
        return []
    return [
        {
            "@type": "dcat:Distribution",
            "title": "XLSX",
            "description": "Toàn bộ bảng · The whole table",
            "downloadURL": download["url"],
            "mediaType": download["media_type"],
            "format": "XLSX",
        }
    ]


def dataset(entry: dict, base: str, contact: dict, dates: dict, mapping: dict) -> dict:
    """One POD dataset with its CSV (the whole table) and JSON API distributions."""
    table = base + entry["table_url"]
    page = f"{base}/datasets/{entry['id']}"
    point = {"@type": "vcard:Contact", "fn": contact["name"] or entry["publisher"]}
    if contact["email"]:
        point["hasEmail"] = f"mailto:{contact['email']}"
    keywords = [k.strip() for k in (entry["keywords"] or "").split(";") if k.strip()]
    known = dates.get(entry["id"]) or {}
    item = {
        "@type": "dcat:Dataset",
        "identifier": page,
        "title": entry["title_vi"],
        "description": entry["description_vi"] or entry["title_vi"],
        "keyword": keywords or [entry["id"]],
        "modified": known.get("modified") or entry["release"].get("modified"),
        "publisher": {
            "@type": "org:Organization",
            "name": entry["publisher"],
            "subOrganizationOf": {"@type": "org:Organization", "name": "Ủy ban nhân dân tỉnh Quảng Ninh"},
        },
        "contactPoint": point,
        "accessLevel": ACCESS_LEVEL[entry["access"]],
        "license": v.licence_page(entry["licence"]),
        "landingPage": page,
        "language": ["vi", "en"],
        "spatial": v.PROVINCE,
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": "CSV",
                "description": "Toàn bộ bảng · The whole table",
                "downloadURL": catalogue.csv_download(entry, base)["url"],
                "mediaType": "text/csv",
                "format": "CSV",
                "describedBy": f"{base}/datapackage.json",
                "describedByType": "application/json",
            },
            *xlsx_distribution(entry, base),
            {
                "@type": "dcat:Distribution",
                "title": "JSON API",
                "accessURL": f"{table}.json",
                "format": "API",
                "describedBy": f"{base}/openapi.json",
                "describedByType": "application/json",
            },
        ],
    }
    if known.get("issued"):
        item["issued"] = known["issued"]
    if entry["temporal_start"]:
        item["temporal"] = f"{entry['temporal_start']}/{entry['temporal_end']}"
    if entry["update_frequency"] in PERIODICITY:
        item["accrualPeriodicity"] = PERIODICITY[entry["update_frequency"]]
    if themes(entry, mapping):
        item["theme"] = themes(entry, mapping)
    if entry["access"] != "public":
        item["rights"] = "Chỉ cơ quan đối tác có mã truy cập · Partner agencies with an access token only"
    return item


async def data_json(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    entries = await catalogue.visible_datasets(datasette, request.actor)
    dates = await releases.dates(datasette, request.actor)
    mapping = v.themes(datasette)
    return Response.json(
        {
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
            "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
            "@id": f"{base}/data.json",
            "@type": "dcat:Catalog",
            "dataset": [dataset(entry, base, v.dataset_contact(datasette, entry), dates, mapping) for entry in entries],
        }
    )


@hookimpl
def register_routes():
    return [(r"^/data\.json$", data_json)]
