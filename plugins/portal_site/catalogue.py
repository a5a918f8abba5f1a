"""What datasets a visitor may see, with their metadata, release, data dictionary and disclosure summary."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from . import contract
from .table_files import table_formats

# The names the build gives them (contract.py); kept under these names for the page plugins.
PUBLIC, RESTRICTED = contract.PUBLIC, contract.RESTRICTED
CATALOGUE, DISCLOSURE, HISTORY = contract.CATALOGUE_TABLE, contract.DISCLOSURE_TABLE, contract.HISTORY_TABLE
# Tables the build adds to each database file: they describe the datasets and are not datasets themselves.
GENERATED = (CATALOGUE, DISCLOSURE, HISTORY)
TAGS = re.compile(r"<[^>]+>")


async def can_view(datasette, actor, database: str, table: str | None = None) -> bool:
    """Whether the actor may view a database, or a table in it."""
    permissions = [("view-database", database), "view-instance"]
    if table:
        permissions.insert(0, ("view-table", (database, table)))
    visible, _ = await datasette.check_visibility(actor, permissions=permissions)
    return visible


def release_of(datasette, database: str = PUBLIC) -> dict:
    """The release a database file belongs to: its number and the date it was built."""
    path = Path(datasette.databases[database].path)
    built = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    name = path.parent.name if path.parent.name.isdigit() else ""
    return {"name": name, "date": built.date().isoformat(), "modified": built.isoformat(timespec="seconds")}


def one_line(description: str, synthetic: bool, limit: int = 170) -> str:
    """The first informative sentence: a synthetic dataset's first sentence is the disclaimer, shown as a badge."""
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", description or "") if s.strip()]
    if synthetic and len(sentences) > 1:
        sentences = sentences[1:]
    text = sentences[0] if sentences else ""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


async def _public_entries(datasette, actor) -> list[dict]:
    if PUBLIC not in datasette.databases or not await can_view(datasette, actor, PUBLIC, CATALOGUE):
        return []
    db = datasette.databases[PUBLIC]
    if not await db.table_exists(CATALOGUE):
        return []
    rows = [dict(row) for row in (await db.execute(f"select * from {CATALOGUE} order by id")).rows]
    # A catalogue from an older release may lack later columns: absent values read as empty.
    tables = public_table_metadata(datasette)  # read once: each lookup of Datasette's metadata merges all of it
    return [
        dict(
            EMPTY_ENTRY,
            **row,
            database=PUBLIC,
            download=table_download(tables, row["id"]),
            **{contract.DOWNLOAD_FORMATS: table_formats(tables, row["id"])},
        )
        for row in rows
        if await can_view(datasette, actor, PUBLIC, row["id"])
    ]


DOWNLOAD = (
    "download"  # the key of a public table's whole-table file in its metadata (scripts/build/publish/downloads.py)
)


def public_table_metadata(datasette) -> dict:
    """The metadata of every table of the public database, by table name."""
    return ((datasette.metadata("databases") or {}).get(PUBLIC) or {}).get("tables") or {}


def table_download(tables: dict, table: str) -> dict | None:
    """The whole-table CSV file the build wrote for a public table (`tables`: public_table_metadata()): its path
    in the release, bytes and SHA-256; None for any other table (restricted ones, generated ones, releases built
    before the files)."""
    download = (tables.get(table) or {}).get(DOWNLOAD)
    if not isinstance(download, dict) or download.get("path") != f"downloads/{table}.csv":
        return None
    return download


def csv_download(entry: dict, base: str) -> dict:
    """Where a dataset's whole table is downloaded as CSV: the release's file, with its size and SHA-256, when the
    build wrote one; otherwise Datasette's streamed CSV, whose size is not known before it is written."""
    download = entry.get("download")
    if download:
        return {"url": f"{base}/downloads/{entry['id']}.csv", "bytes": download["bytes"], "sha256": download["sha256"]}
    return {"url": f"{base}{entry['table_url']}.csv?_stream=on", "bytes": None, "sha256": None}


EMPTY_ENTRY = {
    "title_vi": "",
    "title_en": "",
    "description_vi": "",
    "description_en": "",
    "publisher": "",
    "publisher_en": "",
    "theme": "",
    "theme_en": "",
    "keywords": "",
    "licence": "",
    "update_frequency": "",
    "access": "public",
    "approval_decision": "",
    "approval_date": "",
    "approver": "",
    "synthetic": 0,
    "row_count": None,
    "table_url": "",
    "publisher_id": "",
    "theme_id": "",
    "temporal_start": "",
    "temporal_end": "",
    "download": None,
}


def _synthetic(metadata: dict) -> bool:
    """The manifest's synthetic flag, which the build writes into the table's metadata (scripts/build/publish/metadata.py); a
    release built before that carries it only as the notice it puts first in the description."""
    if "synthetic" in metadata:
        return bool(metadata["synthetic"])
    return 'class="synthetic-notice"' in (metadata.get("description_html") or "")


def _restricted_entry(datasette, table: str, metadata: dict, counts: dict) -> dict:
    """A catalogue entry for a restricted table, from its generated metadata (the catalogue table is public only)."""
    title_vi, _, title_en = (metadata.get("title") or table).partition(" · ")
    paragraphs = dict(re.findall(r'<p lang="(vi|en)">(.*?)</p>', metadata.get("description_html") or "", re.S))
    clean = {lang: html.unescape(TAGS.sub("", text)) for lang, text in paragraphs.items()}
    return {
        "id": table,
        "database": RESTRICTED,
        "title_vi": title_vi,
        "title_en": title_en or title_vi,
        "description_vi": clean.get("vi", ""),
        "description_en": clean.get("en", ""),
        "publisher": metadata.get("source", ""),
        "publisher_en": metadata.get("source", ""),
        "theme": "",
        "theme_en": "",
        "keywords": "",
        "licence": metadata.get("license", ""),
        "update_frequency": "",
        "access": "restricted",
        "approval_decision": "",
        "approval_date": "",
        "approver": "",
        "synthetic": int(_synthetic(metadata)),
        "row_count": counts.get(table),
        "table_url": f"/{RESTRICTED}/{table}",
        "publisher_id": "",
        "theme_id": "",
        "temporal_start": "",
        "temporal_end": "",
        "download": None,
    }


async def _restricted_entries(datasette, actor) -> list[dict]:
    if RESTRICTED not in datasette.databases or not await can_view(datasette, actor, RESTRICTED):
        return []
    db = datasette.databases[RESTRICTED]
    counts = db.cached_table_counts or {}
    entries = []
    for table in await db.table_names():
        metadata = datasette.table_metadata(RESTRICTED, table) or {}
        if table not in GENERATED and metadata.get("title") and await can_view(datasette, actor, RESTRICTED, table):
            entries.append(_restricted_entry(datasette, table, metadata, counts))
    return entries


async def visible_datasets(datasette, actor) -> list[dict]:
    """Every published dataset the actor may see: the public catalogue, then restricted tables a token opens."""
    release = release_of(datasette) if PUBLIC in datasette.databases else {}
    entries = await _public_entries(datasette, actor) + await _restricted_entries(datasette, actor)
    for entry in entries:
        entry["release"] = release
        entry["summary_vi"] = one_line(entry["description_vi"], bool(entry["synthetic"]))
        entry["summary_en"] = one_line(entry["description_en"], bool(entry["synthetic"]))
    return entries


async def find_dataset(datasette, actor, dataset_id: str) -> dict | None:
    """One visible dataset by id, or None (also when the actor may not see it)."""
    for entry in await visible_datasets(datasette, actor):
        if entry["id"] == dataset_id:
            return entry
    return None


def column_entry(details: dict | None) -> dict:
    """A column's labels, descriptions and unit as the pages show them, from the metadata the build wrote
    (contract.COLUMN_DETAILS); empty strings for a column it says nothing of."""
    details = details or {}
    label, description = details.get("label") or {}, details.get("description") or {}
    return {
        "label_vi": label.get("vi", ""),
        "label_en": label.get("en", ""),
        "vi": description.get("vi", ""),
        "en": description.get("en", ""),
        "unit": details.get("unit") or "",
    }


SQLITE_TYPES = {"TEXT": "string", "INTEGER": "integer", "REAL": "number", "FLOAT": "number", "": "string"}


async def data_dictionary(datasette, database: str, table: str) -> list[dict]:
    """Column, type (Frictionless vocabulary), labels, descriptions and unit of each column of a table."""
    columns = (datasette.table_metadata(database, table) or {}).get(contract.COLUMN_DETAILS) or {}
    details = await datasette.databases[database].table_column_details(table)
    return [
        {
            "name": detail.name,
            "type": SQLITE_TYPES.get(detail.type.upper(), "string"),
            **column_entry(columns.get(detail.name)),
        }
        for detail in details
    ]


async def disclosure(datasette, database: str, table: str) -> dict | None:
    """The disclosure-report row of a derived table, if the release has one."""
    db = datasette.databases[database]
    if not await db.table_exists(DISCLOSURE):
        return None
    rows = (await db.execute(f"select * from {DISCLOSURE} where dataset = ?", [table])).rows
    return dict(rows[0]) if rows else None


def licence_url(licence: str) -> str:
    """The licence's canonical address, or its name when it has none we know."""
    known = contract.LICENCES.get(licence)
    return known.page if known else licence


def _split(text: str) -> tuple[str, str]:
    """Portal metadata is written "Vietnamese · English"."""
    vi, _, en = (text or "").partition(" · ")
    return vi.strip(), en.strip()


def portal_titles(datasette) -> tuple[str, str]:
    """The portal's title in Vietnamese and English."""
    return _split(datasette.metadata("title") or "")


def portal_descriptions(datasette) -> tuple[str, str]:
    """The portal's description in Vietnamese and English, without markup."""
    paragraphs = dict(re.findall(r'<p lang="(vi|en)">(.*?)</p>', datasette.metadata("description_html") or "", re.S))
    clean = {lang: " ".join(html.unescape(TAGS.sub("", text)).split()) for lang, text in paragraphs.items()}
    return clean.get("vi") or portal_titles(datasette)[0], clean.get("en", "")


def portal_publisher(datasette) -> tuple[str, str]:
    """Who publishes the catalogue as a whole."""
    vi = _split(datasette.metadata("source") or "")[0]
    return vi or "Ủy ban nhân dân tỉnh", ""
