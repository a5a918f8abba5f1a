"""Frictionless Data Package at /datapackage.json: one CSV resource, with its schema, per visible dataset, and the
same table as XLSX where the release has the file."""

import sys
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site import catalogue, table_files

NAME = "quang-ninh-open-data"


async def resource(datasette, entry: dict, base: str) -> dict:
    """A tabular resource pointing at the table's whole CSV: the release's file (public tables) or the streamed
    CSV (restricted tables, read with a token)."""
    database, table = entry["database"], entry["id"]
    fields = [
        {"name": c["name"], "type": c["type"], "title": c["label_vi"] or c["name"],
         "description": " · ".join(part for part in (c["vi"], c["en"]) if part)}
        for c in await catalogue.data_dictionary(datasette, database, table)
    ]
    keys = await datasette.databases[database].primary_keys(table)
    if not keys:
        # A table without a declared key is keyed by SQLite's rowid, and Datasette's CSV carries it first.
        fields.insert(0, {"name": "rowid", "type": "integer", "title": "Số thứ tự dòng",
                          "description": "Số thứ tự dòng trong bảng · Row number in the table",
                          "constraints": {"required": True, "unique": True}})
        keys = ["rowid"]
    schema = {"fields": fields, "primaryKey": keys}
    download = catalogue.csv_download(entry, base)
    item = {
        "name": table,
        "path": download["url"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": entry["title_vi"],
        "description": entry["description_vi"],
        "licenses": [{"name": entry["licence"], "path": catalogue.licence_url(entry["licence"])}],
        "schema": schema,
    }
    if download["bytes"] is not None:  # the release's file: its size and digest are known
        item.update(bytes=download["bytes"], hash=f"sha256:{download['sha256']}")
    return item


def xlsx_resource(entry: dict, base: str, table_resource: dict) -> dict | None:
    """The release's XLSX file of a public dataset: the CSV resource's rows and fields, the header row giving each
    field's label (its title) rather than its name; the field's name is in its description, and in the workbook's
    sheet "Từ điển dữ liệu"."""
    download = table_files.file_download(entry, base, "xlsx")
    if download is None:
        return None
    fields = [dict(field, name=field["title"], description=f"{field['name']}: {field['description']}")
              for field in table_resource["schema"]["fields"]]
    keys = {field["name"]: field["title"] for field in table_resource["schema"]["fields"]}
    return {
        "name": f"{entry['id']}-xlsx", "path": download["url"], "format": "xlsx", "mediatype": download["media_type"],
        "bytes": download["bytes"], "hash": f"sha256:{download['sha256']}",
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
    return Response.json({
        "name": NAME,
        "title": title_vi,
        "description": catalogue.portal_descriptions(datasette)[0],
        "homepage": base + "/",
        "licenses": [{"name": name, "path": catalogue.licence_url(name)} for name in licences],
        "resources": [item for entry in entries for table in [await resource(datasette, entry, base)]
                      for item in (table, xlsx_resource(entry, base, table)) if item],
    })


@hookimpl
def register_routes():
    return [(r"^/datapackage\.json$", datapackage_json)]
