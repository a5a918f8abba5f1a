"""/api explains the JSON API; /openapi.json describes the endpoints the portal guarantees."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue

TABLE_PARAMETERS = [
    {"name": "table", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "_shape", "in": "query", "schema": {"type": "string", "enum": ["objects", "array", "arrays", "object"]}},
    {
        "name": "_size",
        "in": "query",
        "description": "Rows per page, at most 1000 (or max)",
        "schema": {"type": "string"},
    },
    {
        "name": "_next",
        "in": "query",
        "description": "Token of the next page, from `next`",
        "schema": {"type": "string"},
    },
    {"name": "_sort", "in": "query", "schema": {"type": "string"}},
    {"name": "_sort_desc", "in": "query", "schema": {"type": "string"}},
    {
        "name": "_search",
        "in": "query",
        "description": "Full-text search, diacritics optional",
        "schema": {"type": "string"},
    },
    {"name": "_facet", "in": "query", "schema": {"type": "string"}},
]


def openapi(base: str, tables: list[str], sql_limit_ms: int) -> dict:
    """An OpenAPI 3.0 description of the guaranteed read endpoints."""
    ok = {"200": {"description": "OK"}, "403": {"description": "Not allowed"}, "404": {"description": "Not found"}}
    table_param = dict(TABLE_PARAMETERS[0], schema={"type": "string", "enum": tables})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Cổng dữ liệu mở tỉnh Quảng Ninh API",
            "version": "1",
            "description": "Read-only JSON and CSV API; filters are `column=value` or `column__op=value`.",
        },
        "servers": [{"url": base}],
        "paths": {
            "/portal/{table}.json": {
                "get": {
                    "summary": "Rows of a public table",
                    "responses": ok,
                    "parameters": [table_param, *TABLE_PARAMETERS[1:]],
                }
            },
            "/portal/{table}.csv": {
                "get": {
                    "summary": "Rows as CSV (`_stream=on` for every page)",
                    "responses": ok,
                    "parameters": [table_param, {"name": "_stream", "in": "query", "schema": {"type": "string"}}],
                }
            },
            "/portal.json": {
                "get": {
                    "summary": f"Read-only SQL, {sql_limit_ms} ms time limit",
                    "responses": ok,
                    "parameters": [{"name": "sql", "in": "query", "required": True, "schema": {"type": "string"}}],
                }
            },
            "/catalog.jsonld": {"get": {"summary": "DCAT-AP catalogue", "responses": ok}},
            "/data.json": {"get": {"summary": "Project Open Data catalogue", "responses": ok}},
            "/datapackage.json": {"get": {"summary": "Frictionless Data Package", "responses": ok}},
            "/releases.atom": {
                "get": {"summary": "Atom feed of dataset releases: published, changed, withdrawn", "responses": ok}
            },
            "/datasets/{id}/releases.atom": {
                "get": {
                    "summary": "Atom feed of one dataset's versions",
                    "responses": ok,
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                }
            },
        },
    }


async def public_tables(datasette, actor) -> list[str]:
    return [
        entry["id"]
        for entry in await catalogue.visible_datasets(datasette, actor)
        if entry["database"] == catalogue.PUBLIC
    ]


async def openapi_json(datasette, request):
    base = datasette.absolute_url(request, "/").rstrip("/")
    tables = await public_tables(datasette, request.actor)
    return Response.json(openapi(base, tables, datasette.setting("sql_time_limit_ms")))


async def api_page(datasette, request):
    context = {
        "base": datasette.absolute_url(request, "/").rstrip("/"),
        "sql_time_limit_ms": datasette.setting("sql_time_limit_ms"),
        "max_returned_rows": datasette.setting("max_returned_rows"),
        "tables": await public_tables(datasette, request.actor),
    }
    return Response.html(await datasette.render_template("api.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/api$", api_page), (r"^/openapi\.json$", openapi_json)]
