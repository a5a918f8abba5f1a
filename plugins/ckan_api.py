"""A read-only subset of CKAN's Action API at /api/3/action/<action> and /api/action/<action>, for harvesters and
CKAN clients (ckanapi, data.gov.vn's and other portals' CKAN harvesters), GET or POST (JSON body or form).

Answers carry CKAN's envelope: {"help", "success": true, "result"} or {"help", "success": false, "error":
{"__type", "message"}} with CKAN's statuses (400 for an unknown action, 404 Not Found, 409 for bad parameters).
Only the datasets the caller may see are listed: restricted ones need a partner token, as everywhere else.
"""

import json
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils.asgi import Response

from .portal_site import catalogue, ckan_packages, ckan_search, releases
from .portal_site import vocabularies as v

PATH = r"^/api(/3)?/action/(?P<action>[A-Za-z0-9_]+)$"
CKAN_VERSION = "2.10.0"  # the version whose action API this subset follows


class Failure(Exception):
    def __init__(self, status: int, kind: str, message, **extra):
        super().__init__(message)
        self.status, self.error = status, {"__type": kind, "message": message, **extra}


def missing(name: str) -> Failure:
    return Failure(409, "Validation Error", f"Missing value: {name}", **{name: ["Missing value"]})


def integer(params: dict, name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Failure(409, "Validation Error", f"Invalid integer: {name}", **{name: ["Invalid integer"]}) from None
    if number < 0:
        raise Failure(409, "Validation Error", f"Must be a natural number: {name}", **{name: ["Must be 0 or more"]})
    return number


def page(items: list, params: dict) -> list:
    offset, limit = integer(params, "offset", 0), integer(params, "limit")
    return items[offset:] if limit is None else items[offset : offset + limit]


def truthy(value) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


class Portal:
    """What one request may see, as CKAN objects."""

    def __init__(self, datasette, request):
        self.datasette, self.request = datasette, request
        self.base = datasette.absolute_url(request, "/").rstrip("/")

    async def packages(self) -> list[dict]:
        entries = await catalogue.visible_datasets(self.datasette, self.request.actor)
        dates = await releases.dates(self.datasette, self.request.actor)
        themes = v.themes(self.datasette)
        return [
            ckan_packages.package(e, self.base, dates, v.dataset_contact(self.datasette, e), themes) for e in entries
        ]

    async def owners(self, kind: str) -> dict[str, tuple[dict, list[dict]]]:
        """Organizations or groups of the visible packages, each with its packages."""
        found: dict[str, tuple[dict, list[dict]]] = {}
        for package in await self.packages():
            for owner in [package["organization"]] if kind == "organization" else package["groups"]:
                if owner:
                    found.setdefault(owner["name"], (owner, []))[1].append(package)
        return dict(sorted(found.items()))


def owner_dict(owner: dict, packages: list[dict], with_packages: bool) -> dict:
    result = dict(owner, package_count=len(packages))
    if with_packages:
        result["packages"] = packages
    return result


async def status_show(portal, params):
    title_vi, _ = catalogue.portal_titles(portal.datasette)
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": title_vi,
        "site_url": portal.base,
        "site_description": catalogue.portal_descriptions(portal.datasette)[0],
        "locale_default": "vi",
        "error_emails_to": None,
        "extensions": [],
    }


async def package_list(portal, params):
    return page(sorted(p["name"] for p in await portal.packages()), params)


async def package_show(portal, params):
    wanted = params.get("id") or params.get("name_or_id")
    if not wanted:
        raise missing("id")
    for package in await portal.packages():
        if wanted in (package["id"], package["name"]):
            return package
    raise Failure(404, "Not Found Error", "Not found")


async def package_search(portal, params):
    try:
        return ckan_search.search(
            await portal.packages(),
            params.get("q", ""),
            params.get("fq", ""),
            params.get("sort", ""),
            integer(params, "rows"),
            integer(params, "start"),
        )
    except ckan_search.BadQuery as error:
        raise Failure(409, "Search Query Error", str(error)) from None


async def current_package_list_with_resources(portal, params):
    return page(ckan_search.ordered(await portal.packages(), "metadata_modified desc"), params)


def owner_list(kind: str):
    async def action(portal, params):
        owners = await portal.owners(kind)
        if truthy(params.get("all_fields", False)):
            return [owner_dict(owner, packages, False) for owner, packages in owners.values()]
        return list(owners)

    return action


def owner_show(kind: str):
    async def action(portal, params):
        wanted = params.get("id")
        if not wanted:
            raise missing("id")
        owners = await portal.owners(kind)
        if wanted not in owners:
            raise Failure(404, "Not Found Error", f"{kind.title()} not found")
        owner, packages = owners[wanted]
        return owner_dict(owner, packages, truthy(params.get("include_datasets", False)))

    return action


async def tag_list(portal, params):
    names = sorted({t["name"] for p in await portal.packages() for t in p["tags"]})
    query = ckan_search.folded(params.get("query") or params.get("q") or "")
    names = [name for name in names if query in ckan_search.folded(name)]
    if truthy(params.get("all_fields", False)):
        return [{"id": name, "name": name, "display_name": name, "vocabulary_id": None} for name in names]
    return names


async def license_list(portal, params):
    return [ckan_packages.licence(name) for name in v.LICENCES]


async def help_show(portal, params):
    name = params.get("name")
    if name not in ACTIONS:
        raise Failure(404, "Not Found Error", "Action function not found")
    return " ".join((ACTIONS[name].__doc__ or f"{name}: CKAN's action of that name (read-only subset)").split())


ACTIONS = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "current_package_list_with_resources": current_package_list_with_resources,
    "organization_list": owner_list("organization"),
    "organization_show": owner_show("organization"),
    "group_list": owner_list("group"),
    "group_show": owner_show("group"),
    "tag_list": tag_list,
    "license_list": license_list,
    "help_show": help_show,
}


async def parameters(request) -> dict:
    """The query string, then a POSTed JSON object or form (CKAN reads either)."""
    params = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if request.method == "POST":
        body = await request.post_body()
        if body.strip():
            if "json" in request.headers.get("content-type", "") or body.lstrip()[:1] == b"{":
                try:
                    posted = json.loads(body)
                except ValueError:
                    raise Failure(400, "Bad Request", "Bad request - JSON Error: could not read the body") from None
                if not isinstance(posted, dict):
                    raise Failure(400, "Bad Request", "Bad request - JSON Error: the body must be an object")
                params.update(posted)
            else:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


async def action_api(datasette, request):
    name = request.url_vars["action"]
    portal = Portal(datasette, request)
    envelope = {"help": f"{portal.base}/api/3/action/help_show?name={name}"}
    try:
        if request.method not in ("GET", "POST"):
            raise Failure(400, "Bad Request", "Bad request - only GET and POST are accepted")
        if name not in ACTIONS:
            raise Failure(400, "Bad Request", f"Bad request - Action name not known: {name}")
        result = await ACTIONS[name](portal, await parameters(request))
    except Failure as failure:
        return Response.json(dict(envelope, success=False, error=failure.error), status=failure.status)
    return Response.json(dict(envelope, success=True, result=result))


@hookimpl
def register_routes():
    return [(PATH, action_api)]


@hookimpl
def skip_csrf(scope):
    # The API only reads, and CKAN clients POST their parameters without a CSRF token.
    path = scope.get("path", "")
    return path.startswith(("/api/3/action/", "/api/action/"))
