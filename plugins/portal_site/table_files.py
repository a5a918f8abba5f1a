"""The whole-table files the build writes for each public dataset (scripts/build/publish/downloads.py): CSV for
Excel, XLSX and JSON, served at /downloads/<table>.<format>; where each is, its size and its media type.

Restricted tables have none: their rows are read through a token, never as a file.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from . import contract

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The Content-Type each format is served with.
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE, "json": "application/json; charset=utf-8"}


def table_formats(tables: dict, table: str) -> dict:
    """A public table's files other than its CSV, by format (`tables`: catalogue.public_table_metadata()); only
    those in the release's downloads/ under the table's own name."""
    files = (tables.get(table) or {}).get(contract.DOWNLOAD_FORMATS)
    if not isinstance(files, dict):
        return {}
    return {
        kind: item
        for kind, item in files.items()
        if kind in CONTENT_TYPES and isinstance(item, dict) and item.get("path") == f"downloads/{table}.{kind}"
    }


def file_download(entry: dict, base: str, kind: str) -> dict | None:
    """Where a catalogue entry's file of a format (xlsx, json) is downloaded, its size and digest; None for a
    restricted dataset or a release built before the format."""
    item = (entry.get(contract.DOWNLOAD_FORMATS) or {}).get(kind)
    if not item:
        return None
    return {
        "url": f"{base}/downloads/{entry['id']}.{kind}",
        "bytes": item["bytes"],
        "sha256": item["sha256"],
        "media_type": CONTENT_TYPES[kind].split(";")[0],
    }


def content_disposition(filename: str) -> str:
    """An attachment with its file name, plain and as RFC 6266's filename* (UTF-8), for every browser."""
    plain = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def schema_org_downloads(entry: dict, base: str) -> list[dict]:
    """schema.org DataDownload nodes of a dataset's XLSX and whole-table JSON files, where the release has them."""
    return [
        {
            "@type": "DataDownload",
            "encodingFormat": item["media_type"],
            "contentUrl": item["url"],
            "contentSize": f"{item['bytes']} B",
        }
        for item in (file_download(entry, base, kind) for kind in ("xlsx", "json"))
        if item
    ]


def page_files(entry: dict, size_text, database_file: str | None) -> dict:
    """What a dataset's page offers beside its CSV: its XLSX and JSON files and the SQLite database file (when the
    visitor may download it: `database_file`, its path), each with its address and size written by `size_text`."""
    files = {
        kind: dict(item, size=size_text(item["bytes"]))
        for kind in ("xlsx", "json")
        if (item := file_download(entry, "", kind))
    }
    if database_file:
        files["sqlite"] = {"url": f"/{entry['database']}.db", "size": size_text(Path(database_file).stat().st_size)}
    return files
