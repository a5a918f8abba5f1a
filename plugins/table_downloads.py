"""Whole-table files at /downloads/<table>.csv, .xlsx and .json: the files the build wrote into the release being
served (scripts/build/publish/downloads.py), streamed from disk as attachments named after the dataset.

Only the public tables whose file the release's metadata names are answered; any other name, a restricted table's
included, is the same 404 as a name that never existed, so the route tells nothing about what else the release
holds. The path is never built from what the visitor wrote: the name must be one of those tables.
"""

import asyncio
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from .portal_site import catalogue
from .portal_site.serving import served_release
from .portal_site.table_files import CONTENT_TYPES, content_disposition, table_formats

CHUNK = 256 * 1024
NOT_FOUND = "No such file"  # translated on the error page (error_pages.ERRORS)


def _tags(header: str) -> list[str]:
    """The entity tags of an If-None-Match header, compared weakly (RFC 9110: W/ does not matter there)."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


async def _file(datasette, request) -> tuple[Path, dict]:
    """The file asked for and its metadata (path in the release, bytes, SHA-256), or NotFound."""
    table, _, kind = request.url_vars["name"].rpartition(".")
    if catalogue.PUBLIC not in datasette.databases:
        raise NotFound(NOT_FOUND)
    tables = catalogue.public_table_metadata(datasette)
    download = catalogue.table_download(tables, table) if kind == "csv" else table_formats(tables, table).get(kind)
    if download is None or not await catalogue.can_view(datasette, request.actor, catalogue.PUBLIC, table):
        raise NotFound(NOT_FOUND)
    release = Path(datasette.databases[catalogue.PUBLIC].path).parent
    path = release / download["path"]
    if path.parent != release / "downloads" or not path.is_file():
        raise NotFound(NOT_FOUND)
    return path, download


async def table_download(datasette, request, send):
    if request.method not in ("GET", "HEAD"):
        return await Response.text("Method not allowed", status=405, headers={"Allow": "GET, HEAD"}).asgi_send(send)
    path, download = await _file(datasette, request)
    # The release names the file's version; its digest tells one table's file from another's.
    etag = f'"r{served_release(datasette)}-{download["sha256"][:20]}"'
    headers = [
        (b"etag", etag.encode("ascii")),
        (b"cache-control", f"max-age={datasette.setting('default_cache_ttl')}".encode("ascii")),
    ]
    if etag in _tags(request.headers.get("if-none-match", "")):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        return await send({"type": "http.response.body", "body": b""})
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        size = (await asyncio.to_thread(path.stat)).st_size
        # The file is named after the dataset (its id is the table's name), whatever the address that led to it.
        headers += [
            (b"content-type", CONTENT_TYPES[path.suffix[1:]].encode("ascii")),
            (b"content-length", str(size).encode("ascii")),
            (b"content-disposition", content_disposition(path.name).encode("ascii")),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if request.method == "HEAD":
            return await send({"type": "http.response.body", "body": b""})
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        handle.close()


@hookimpl
def register_routes():
    return [(r"^/downloads/(?P<name>[A-Za-z0-9_]+\.(?:csv|xlsx|json))$", table_download)]
