"""Frictionless Data Package at /datapackage.json: one CSV resource, with its schema, per visible dataset, and the
same table as XLSX where the release has the file.

The descriptor is made with frictionless itself (Package, Resource, Schema), so that it is the reference
implementation's own serialisation and a descriptor frictionless would reject fails here, not at a harvester.
frictionless is imported at the first request: it takes about a second to import, which a server's start, and a
replica's in a rolling release, should not wait for.
"""

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, table_files

NAME = "quang-ninh-open-data"


async def resource(datasette, entry: dict, base: str):
    """A tabular resource pointing at the table's whole CSV: the release's file (public tables) or the streamed
    CSV (restricted tables, read with a token)."""
    database, table = entry["database"], entry["id"]
    fields = [
        {
            "name": c["name"],
            "type": c["type"],
            "title": c["label_vi"] or c["name"],
            "description": " · ".join(part for part in (c["vi"], c["en"]) if part),
        }
        for c in await catalogue.data_dictionary(datasette, database, table)
    ]
    keys = await datasette.databases[database].primary_keys(table)
    if not keys:
        # A table without a declared key is keyed by SQLite's rowid, and Datasette's CSV carries it first.
        fields.insert(
            0,
            {
                "name": "rowid",
                "type": "integer",
                "title": "Số thứ tự dòng",
                "description": "Số thứ tự dòng trong bảng · Row number in the table",
                "constraints": {"required": True, "unique": True},
            },
        )
        keys = ["rowid"]
    download = catalogue.csv_download(entry, base)
    descriptor = {
        "name": table,
        "path": download["url"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": entry["title_vi"],
        "description": entry["description_vi"],
        "licenses": [{"name": entry["licence"], "path": catalogue.licence_url(entry["licence"])}],
    }
    if download["bytes"] is not None:  # the release's file: its size and digest are known
        descriptor.update(bytes=download["bytes"], hash=f"sha256:{download['sha256']}")
    from frictionless import Resource, Schema

    resource = Resource.from_descriptor(descriptor)
    resource.schema = Schema.from_descriptor({"fields": fields, "primaryKey": keys})
    return resource


def xlsx_resource(entry: dict, base: str, table_resource: dict) -> dict | None:
    """The release's XLSX file of a public dataset: the CSV resource's rows and fields, the header row giving each
    field's label (its title) rather than its name; the field's name is in its description, and in the workbook's
    sheet "Từ điển dữ liệu"."""
    download = table_files.file_download(entry, base, "xlsx")
    if download is None:
        return None
    fields = [
        dict(field, name=field["title"], description=f"{field['name']}: {field['description']}")
        for field in table_resource["schema"]["fields"]
    ]
    keys = {field["name"]: field["title"] for field in table_resource["schema"]["fields"]}
    return {
        "name": f"{entry['id']}-xlsx",
        "path": download["url"],
        "format": "xlsx",
        "mediatype": download["media_type"],
        "bytes": download["bytes"],
        "hash": f"sha256:{download['sha256']}",
        "title": f"{entry['title_vi']} (XLSX)",
        "description": f"Cùng dữ liệu với {entry['id']}, dòng tiêu đề là nhãn cột · The same rows as {entry['id']}, "
        "headed by the columns' labels",
        "licenses": table_resource["licenses"],
        "schema": {"fields": fields, "primaryKey": [keys[key] for key in table_resource["schema"]["primaryKey"]]},
    }


async def datapackage_json(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    entries = await catalogue.visible_datasets(datasette, request.actor)
    title_vi, _title_en = catalogue.portal_titles(datasette)
    licences = sorted({entry["licence"] for entry in entries})
    from frictionless import Package, Resource

    package = Package.from_descriptor(
        {
            "name": NAME,
            "title": title_vi,
            "description": catalogue.portal_descriptions(datasette)[0],
            "homepage": base + "/",
            "licenses": [{"name": name, "path": catalogue.licence_url(name)} for name in licences],
            "resources": [],
        }
    )
    for entry in entries:
        table = await resource(datasette, entry, base)
        package.add_resource(table)
        workbook = xlsx_resource(entry, base, table.to_descriptor())
        if workbook:
            package.add_resource(Resource.from_descriptor(workbook))
    return Response.json(package.to_descriptor())


@hookimpl
def register_routes():
    return [(r"^/datapackage\.json$", datapackage_json)]
