"""The home page: the portal's purpose, a search box, datasets by theme or publisher, Project 06 progress."""

from itertools import groupby

from datasette import hookimpl

from .portal_site import catalogue, formats, language, page_meta, progress

GROUPINGS = {"theme": ("theme", "theme_en"), "publisher": ("publisher", "publisher_en")}


def grouped(datasets: list[dict], by: str, lang: str) -> list[tuple[str, list[dict]]]:
    """Datasets in groups named in the visitor's language, groups and titles in alphabetical order."""
    vi_key, en_key = GROUPINGS[by]
    key = en_key if lang == "en" else vi_key
    title = "title_en" if lang == "en" else "title_vi"
    ordered = sorted(datasets, key=lambda d: (d[key] or "~", d[title]))
    return [(name, list(items)) for name, items in groupby(ordered, key=lambda d: d[key])]


async def project06_progress(datasette, actor) -> dict | None:
    """The Project 06 task figures (plugins/portal_site/progress.py), when the visitor may see the tasks."""
    if not await catalogue.can_view(datasette, actor, catalogue.PUBLIC, progress.TASKS):
        return None
    return await progress.progress(datasette.databases[catalogue.PUBLIC])


@hookimpl
def extra_template_vars(datasette, request, view_name):
    if view_name != "index":
        return {}

    async def home():
        lang = language.language(request)
        by = request.args.get("by") if request.args.get("by") in GROUPINGS else "theme"
        datasets = await catalogue.visible_datasets(datasette, request.actor)
        tasks = await project06_progress(datasette, request.actor)
        base = datasette.absolute_url(request, "/").rstrip("/")
        description = catalogue.portal_descriptions(datasette)[1 if lang == "en" else 0]
        return {
            "page_meta": page_meta.meta(
                datasette,
                lang,
                base + "/",
                page_meta.portal_name(datasette, lang),
                description,
                subject=", ".join(name for name, _ in grouped(datasets, "theme", lang)),
            ),
            "home": {
                "by": by,
                "groups": grouped(datasets, by, lang),
                "count": len(datasets),
                "progress": tasks,
                "as_of": formats.date(tasks and tasks["as_of"], lang),
            },
        }

    return home
