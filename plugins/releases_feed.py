"""Atom feeds of dataset releases: /releases.atom for the portal, /datasets/<id>/releases.atom for one dataset."""

import html

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from .portal_site import atom, catalogue, releases


def feed_entry(entry: dict, base: str, visible_ids: set[str]) -> atom.Entry:
    """One version of one dataset, titled in Vietnamese first, summarised in both languages."""
    version = entry["version"]
    vi = f"{entry['title_vi']}, phiên bản {version} (đợt phát hành {entry['release']}): {entry['summary_vi']}"
    en = f"{entry['title_en']}, version {version} (release {entry['release']}): {entry['summary_en']}"
    return atom.Entry(
        id=f"{base}/datasets/{entry['dataset']}#release-{version}",
        title=f"{entry['title_vi']} — phiên bản {version}: {entry['summary_vi']}",
        updated=entry["published_at"],
        link=base + releases.entry_url(entry, visible_ids),
        summary=f"{entry['summary_vi']} · {en}",
        content_html=f'<p lang="vi">{html.escape(vi)}</p><p lang="en">{html.escape(en)}</p>',
        category=entry["change"],
    )


def _updated(datasette, entries: list[dict]) -> str:
    if entries:
        return max(entry["published_at"] for entry in entries)
    return catalogue.release_of(datasette)["modified"]  # no history yet: when the release being served was built


async def _respond(datasette, request, path: str, title: str, subtitle: str, alternate: str, entries: list[dict]):
    base = datasette.absolute_url(request, "/").rstrip("/")
    visible_ids = {entry["id"] for entry in await catalogue.visible_datasets(datasette, request.actor)}
    feed = atom.Feed(
        id=base + path,
        title=title,
        subtitle=subtitle,
        updated=_updated(datasette, entries),
        alternate=base + alternate,
        author=catalogue.portal_publisher(datasette)[0],
        entries=[feed_entry(entry, base, visible_ids) for entry in entries],
    )
    return Response(atom.render(feed), content_type=atom.CONTENT_TYPE)


async def portal_feed(datasette, request):
    portal_vi, portal_en = catalogue.portal_titles(datasette)
    entries = (await releases.history(datasette, request.actor))[: releases.FEED_ENTRIES]
    return await _respond(
        datasette,
        request,
        "/releases.atom",
        f"{portal_vi or 'Cổng dữ liệu mở'}: lịch sử phát hành · {portal_en or 'Open-data portal'}: dataset releases",
        "Mỗi lần một tập dữ liệu được công bố, thay đổi hoặc ngừng công bố · "
        "Each time a dataset is published, changed or withdrawn",
        "/",
        entries,
    )


async def dataset_feed(datasette, request):
    dataset = request.url_vars["dataset_id"]
    current = await catalogue.find_dataset(datasette, request.actor, dataset)
    databases = (current["database"],) if current else (catalogue.PUBLIC, catalogue.RESTRICTED)
    entries = await releases.history(datasette, request.actor, dataset, databases)
    if current is None and not entries:
        raise NotFound("No such dataset")  # the same answer whether absent or not allowed
    named = current or entries[0]
    return await _respond(
        datasette,
        request,
        f"/datasets/{dataset}/releases.atom",
        f"{named['title_vi']}: lịch sử phát hành · {named['title_en']}: release history",
        "Các phiên bản của tập dữ liệu · Versions of the dataset",
        f"/datasets/{dataset}" if current else "/",
        entries,
    )


@hookimpl
def register_routes():
    return [
        (r"^/releases\.atom$", portal_feed),
        (r"^/datasets/(?P<dataset_id>[A-Za-z0-9_]+)/releases\.atom$", dataset_feed),
    ]
