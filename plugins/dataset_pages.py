"""A page per dataset at /datasets/<id>: metadata, dictionary, disclosure, releases, downloads, API, chart, map."""

import json

from datasette import hookimpl
from datasette.utils import escape_sqlite
from datasette.utils.asgi import NotFound, Response

from .portal_site import (
    catalogue,
    category_order,
    chart_view,
    commune_map,
    formats,
    language,
    page_meta,
    preview,
    releases,
    table_files,
)
from .portal_site import vocabularies as v

CHART_BARS = 12
MAP_POINTS = 2000
MAP_SIZE = (480, 360)


def schema_org(
    entry: dict, url: str, base: str, dictionary: list[dict], history: list[dict], themes: dict, portal: str
) -> str:
    """schema.org Dataset JSON-LD (what search engines' dataset search reads), safe to embed in a <script>."""
    table = base + entry["table_url"]
    download = catalogue.csv_download(entry, base)
    versions = sorted((h for h in history if h["published_at"]), key=lambda h: h["version"])
    theme = themes.get(entry["theme_id"]) or {}
    publisher = {
        "@type": "GovernmentOrganization",
        "name": entry["publisher"],
        "alternateName": entry["publisher_en"] or None,
    }
    document = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": entry["title_vi"],
        "alternateName": entry["title_en"],
        "description": entry["description_vi"] or entry["title_vi"],
        "url": url,
        "identifier": entry["id"],
        "keywords": [k.strip() for k in (entry.get("keywords") or "").split(";") if k.strip()],
        "about": [
            {"@type": "DefinedTerm", "name": name, "inDefinedTermSet": scheme}
            for name, scheme in (
                ((theme.get("national") or {}).get("vi"), "https://data.gov.vn"),
                (v.EU_THEMES.get(theme.get("eu")), v.DATA_THEME),
            )
            if name
        ],
        "license": v.licence_page(entry["licence"]),
        "isAccessibleForFree": entry["access"] == "public",
        "inLanguage": "vi",
        "creator": publisher,
        "publisher": publisher,
        "datePublished": versions[0]["published_at"] if versions else None,
        "dateModified": versions[-1]["published_at"] if versions else entry["release"].get("modified"),
        "version": str(versions[-1]["version"]) if versions else None,
        "spatialCoverage": {
            "@type": "AdministrativeArea",
            "name": v.PROVINCE_NAME[0],
            "sameAs": v.PROVINCE,
            "containedInPlace": {"@type": "Country", "name": "Việt Nam"},
        },
        "temporalCoverage": (f"{entry['temporal_start']}/{entry['temporal_end']}" if entry["temporal_start"] else None),
        "variableMeasured": [
            {
                "@type": "PropertyValue",
                "name": column["name"],
                "description": column["vi"] or column["name"],
                **({"alternateName": column["label_vi"]} if column["label_vi"] else {}),
                **({"unitText": column["unit"]} if column["unit"] else {}),
            }
            for column in dictionary
        ],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": portal, "url": base + "/"},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "text/csv",
                "contentUrl": download["url"],
                **({"contentSize": f"{download['bytes']} B"} if download["bytes"] is not None else {}),
            },
            *table_files.schema_org_downloads(entry, base),
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": f"{table}.json"},
        ],
    }
    document = {key: value for key, value in document.items() if value not in (None, [], "")}
    return json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")


async def chart(db, table: str, metadata: dict, columns: list[str]) -> dict | None:
    """Rows per value of the first facet, for tables published as delivered (counts of counts would mislead)."""
    facets = metadata.get("facets") or []
    if not facets or "suppression" in columns:
        return None
    column = facets[0]
    sql = (
        f"select {escape_sqlite(column)} as value, count(*) as n from {escape_sqlite(table)} "
        f"group by 1 order by n desc, 1 limit {CHART_BARS}"
    )
    bars = category_order.in_natural_order([dict(row) for row in (await db.execute(sql)).rows], column, metadata)
    top = max((bar["n"] for bar in bars), default=0)
    for bar in bars:
        bar["width"] = round(300 * bar["n"] / top) if top else 0
    return {"column": column, "bars": bars, "height": 24 * len(bars)}


async def point_map(db, table: str, columns: list[str], key: str) -> dict | None:
    """Points projected into an SVG box, for tables with latitude and longitude columns."""
    if not {"latitude", "longitude"} <= set(columns):
        return None
    label = next((c for c in columns if c.endswith("_name")), key)
    sql = (
        f"select {escape_sqlite(label)} as label, latitude, longitude from {escape_sqlite(table)} "
        f"where latitude is not null and longitude is not null limit {MAP_POINTS}"
    )
    rows = [dict(row) for row in (await db.execute(sql)).rows]
    if not rows:
        return None
    lats, lons = [r["latitude"] for r in rows], [r["longitude"] for r in rows]
    width, height = MAP_SIZE
    span = max(max(lats) - min(lats), max(lons) - min(lons), 1e-6)
    for row in rows:
        row["x"] = round(10 + (row["longitude"] - min(lons)) / span * (width - 20), 1)
        row["y"] = round(height - 10 - (row["latitude"] - min(lats)) / span * (height - 20), 1)
    return {"points": rows, "width": width, "height": height}


def file_size(size: int | None, lang: str) -> str:
    """A file's size as a reader of the language writes it, in decimal units: "3,2 MB" in Vietnamese, "3.2 MB" in
    English; "" when it is not known."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size} B"
    value, unit = next((size / scale, unit) for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")) if size >= scale)
    return f"{formats.number(value, lang, 1)} {unit}"


def head(datasette, lang: str, entry: dict, base: str, history: list[dict]) -> dict:
    """The page's title ("<dataset> · <portal>"), description, addresses, Open Graph and Dublin Core."""
    english = lang == "en"
    title = entry["title_en"] if english else entry["title_vi"]
    return page_meta.meta(
        datasette,
        lang,
        f"{base}/datasets/{entry['id']}",
        f"{title} · {page_meta.portal_name(datasette, lang)}",
        entry["summary_en"] if english else entry["summary_vi"],
        creator=entry["publisher_en"] if english else entry["publisher"],
        date=(history[0]["published_at"] if history else entry["release"].get("date") or ""),
        subject="; ".join(part for part in (entry["theme_en" if english else "theme"], entry["keywords"]) if part),
        rights=entry["licence"],
        kind="article",
    )


async def dataset_page(datasette, request):
    entry = await catalogue.find_dataset(datasette, request.actor, request.url_vars["dataset_id"])
    if entry is None:
        raise NotFound("No such dataset")
    database, table = entry["database"], entry["id"]
    db = datasette.databases[database]
    metadata = datasette.table_metadata(database, table) or {}
    dictionary = await catalogue.data_dictionary(datasette, database, table)
    columns = [column["name"] for column in dictionary]
    base = datasette.absolute_url(request, "/").rstrip("/")
    downloadable, _ = await datasette.check_visibility(
        request.actor, permissions=[("view-database-download", database), ("view-database", database), "view-instance"]
    )
    history = await releases.history(datasette, request.actor, table, (database,))
    lang = language.language(request)
    download = catalogue.csv_download(entry, "")
    declared_charts = await chart_view.views(db, table, metadata, columns, lang)
    context = {
        "d": entry,
        "page_meta": head(datasette, lang, entry, base, history),
        "csv_download": dict(download, size=file_size(download["bytes"], lang)),
        "metadata": metadata,
        "dictionary": dictionary,
        "disclosure": await catalogue.disclosure(datasette, database, table),
        "history": history,
        "declared_charts": declared_charts,  # templates/_charts.html; they replace the generic chart
        "chart": None if declared_charts else await chart(db, table, metadata, columns),
        "map": await point_map(db, table, columns, columns[0] if columns else "rowid"),
        "commune_map": await commune_map.commune_map(datasette, request, database, table, lang),
        "base": base,
        "facets": metadata.get("facets") or [],
        "database_download": f"/{database}.db" if downloadable else None,
        "files": table_files.page_files(entry, lambda size: file_size(size, lang), db.path if downloadable else None),
        "preview": await preview.preview(db, table, dictionary, lang),
        "jsonld": schema_org(
            entry,
            f"{base}/datasets/{table}",
            base,
            dictionary,
            history,
            v.themes(datasette),
            catalogue.portal_titles(datasette)[0],
        ),
    }
    return Response.html(await datasette.render_template("dataset.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/datasets/(?P<dataset_id>[A-Za-z0-9_]+)$", dataset_page)]
