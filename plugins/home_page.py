"""The home page: the portal's purpose, a search box, datasets by theme or publisher, Project 06 progress."""

from itertools import groupby

from datasette import hookimpl

from .portal_site import catalogue, language, page_meta

TASKS = "project06_tasks"
DONE = "Hoàn thành"
GROUPINGS = {"theme": ("theme", "theme_en"), "publisher": ("publisher", "publisher_en")}


def grouped(datasets: list[dict], by: str, lang: str) -> list[tuple[str, list[dict]]]:
    """Datasets in groups named in the visitor's language, groups and titles in alphabetical order."""
    vi_key, en_key = GROUPINGS[by]
    key = en_key if lang == "en" else vi_key
    title = "title_en" if lang == "en" else "title_vi"
    ordered = sorted(datasets, key=lambda d: (d[key] or "~", d[title]))
    return [(name, list(items)) for name, items in groupby(ordered, key=lambda d: d[key])]


async def project06_progress(datasette, actor) -> list[dict]:
    """Tasks done and total per Project 06 task group, from the tasks dataset."""
    if not await catalogue.can_view(datasette, actor, catalogue.PUBLIC, TASKS):
        return []
    db = datasette.databases[catalogue.PUBLIC]
    if not await db.table_exists(TASKS):
        return []
    result = await db.execute(
        f"select group_no, task_group, sum(status = ?) as done, count(*) as total from {TASKS} "
        "group by group_no, task_group order by group_no", [DONE])
    return [dict(row) for row in result.rows]


@hookimpl
def extra_template_vars(datasette, request, view_name):
    if view_name != "index":
        return {}

    async def home():
        lang = language.language(request)
        by = request.args.get("by") if request.args.get("by") in GROUPINGS else "theme"
        datasets = await catalogue.visible_datasets(datasette, request.actor)
        progress = await project06_progress(datasette, request.actor)
        base = datasette.absolute_url(request, "/").rstrip("/")
        description = catalogue.portal_descriptions(datasette)[1 if lang == "en" else 0]
        return {
            "page_meta": page_meta.meta(datasette, lang, base + "/", page_meta.portal_name(datasette, lang),
                                        description, subject=", ".join(name for name, _ in grouped(datasets, "theme",
                                                                                                  lang))),
            "home": {
                "by": by,
                "groups": grouped(datasets, by, lang),
                "count": len(datasets),
                "progress": progress,
                "done": sum(row["done"] for row in progress),
                "total": sum(row["total"] for row in progress),
            }
        }

    return home
