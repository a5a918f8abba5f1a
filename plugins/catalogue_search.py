"""/search?q= (the page) and /search.json?q= (the same results for developers): the catalogue's datasets ranked
for a query, with facets by theme, publisher, access tier, update frequency and format (portal_site/dataset_search.py)."""

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, Response

from .portal_site import dataset_search, language
from .portal_site.formats import number


def rows_link(result: dict) -> str | None:
    """The table page filtered to the rows a matched value is in."""
    hit = result["hit"]
    if not hit:
        return None
    column, cells = hit["column"], hit["cells"]
    query = {column: cells[0]} if len(cells) == 1 else {f"{column}__in": json.dumps(cells, ensure_ascii=False)}
    return f"{result['entry']['table_url']}?{urlencode(query)}"


def as_json(result: dict) -> dict:
    entry, hit = result["entry"], result["hit"]
    facts = result["_facts"]
    return {
        "id": entry["id"],
        "title_vi": entry["title_vi"],
        "title_en": entry["title_en"],
        "score": result["score"],
        "matching_rows": result["matching_rows"],
        "matched": {"column": hit["column"], "values": hit["values"][:20], "rows_url": rows_link(result)}
        if hit
        else None,
        "url": f"/datasets/{entry['id']}",
        "table_url": entry["table_url"],
        "access": entry["access"],
        "theme": (facts["theme"] or [None])[0],
        "publisher": (facts["publisher"] or [None])[0],
        "update_frequency": (facts["frequency"] or [None])[0],
        "formats": facts["format"],
    }


async def _search(datasette, request):
    """The query, and what it finds; a query too long to be a search is a 400 (Datasette's error page or JSON)."""
    query = (request.args.get("q") or "").strip()
    filters = dataset_search.Filters.from_args(request.args)
    try:
        return query, await dataset_search.search(datasette, request.actor, query, filters, language.language(request))
    except dataset_search.QueryTooLong as error:
        raise BadRequest(str(error)) from None


async def search_json(datasette, request):
    _, found = await _search(datasette, request)
    return Response.json(
        {
            "query": found["query"],
            "words": found["words"],
            "total": found["total"],
            "results": [as_json(result) for result in found["results"]],
            "facets": {
                name: [
                    {key: item[key] for key in ("value", "label_vi", "label_en", "count", "selected")} for item in items
                ]
                for name, items in found["facets"].items()
            },
        }
    )


async def search_page(datasette, request):
    lang = language.language(request)
    query, found = await _search(datasette, request)
    for result in found["results"]:
        result["rows_url"] = rows_link(result)
    context = {
        "q": query,
        "found": found,
        "facet_order": dataset_search.ORDER,
        "number": lambda value: number(value, lang),
        "matched_shown": dataset_search.MATCHED_SHOWN,
    }
    return Response.html(await datasette.render_template("search.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/search$", search_page), (r"^/search\.json$", search_json)]
