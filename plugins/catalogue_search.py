"""/search?q=: datasets whose catalogue entry matches, and matching rows in every searchable table the actor may see."""


from datasette import hookimpl
from datasette.utils import escape_fts, escape_sqlite
from datasette.utils.asgi import Response

from .portal_site import catalogue

ROWS_PER_TABLE = 5


async def matching_ids(db, table: str, fts: str, query: str) -> list[int]:
    """Rowids of a table whose full-text index matches the query (diacritics optional, as on table pages)."""
    sql = f"select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)} match ? limit {ROWS_PER_TABLE}"
    return [row[0] for row in (await db.execute(sql, [escape_fts(query)])).rows]


async def search(datasette, actor, query: str) -> tuple[list[dict], list[dict]]:
    """Matching datasets, and per searchable dataset its first matching rows."""
    entries = await catalogue.visible_datasets(datasette, actor)
    by_id = {entry["id"]: entry for entry in entries}
    db = datasette.databases[catalogue.PUBLIC]
    ids = set()
    if await db.table_exists(f"{catalogue.CATALOGUE}_fts"):
        rowids = await matching_ids(db, catalogue.CATALOGUE, f"{catalogue.CATALOGUE}_fts", query)
        if rowids:
            marks = ",".join("?" * len(rowids))
            rows = (await db.execute(f"select id from {catalogue.CATALOGUE} where rowid in ({marks})", rowids)).rows
            ids = {row[0] for row in rows}
    datasets = [entry for entry in entries if entry["id"] in ids]
    hits = []
    for entry in entries:
        fts = (datasette.table_metadata(entry["database"], entry["id"]) or {}).get("fts_table")
        table_db = datasette.databases[entry["database"]]
        if not fts or not await table_db.table_exists(fts):
            continue
        rowids = await matching_ids(table_db, entry["id"], fts, query)
        if rowids:
            marks = ",".join("?" * len(rowids))
            result = await table_db.execute(
                f"select * from {escape_sqlite(entry['id'])} where rowid in ({marks})", rowids)
            hits.append({"dataset": by_id[entry["id"]], "columns": list(result.columns),
                         "rows": [list(row) for row in result.rows]})
    return datasets, hits


async def search_page(datasette, request):
    query = (request.args.get("q") or "").strip()
    datasets, hits = await search(datasette, request.actor, query) if query else ([], [])
    context = {"q": query, "datasets": datasets, "hits": hits}
    return Response.html(await datasette.render_template("search.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/search$", search_page)]
