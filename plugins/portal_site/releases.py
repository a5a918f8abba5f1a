"""The release history a visitor may see, read from the history table each database file carries."""

from __future__ import annotations

from .catalogue import HISTORY, PUBLIC, RESTRICTED, can_view

FEED_ENTRIES = 50


async def history(datasette, actor, dataset: str | None = None, databases=(PUBLIC, RESTRICTED)) -> list[dict]:
    """Release-history entries the actor may view, newest first; only one dataset's when it is named.

    Visibility is decided per dataset, as for the dataset itself: a withdrawn dataset keeps the rules of the
    database that published it.
    """
    entries = []
    for database in databases:
        if database not in datasette.databases or not await can_view(datasette, actor, database):
            continue
        db = datasette.databases[database]
        if not await db.table_exists(HISTORY):
            continue  # a release built before histories were kept
        where, params = (" where dataset = ?", [dataset]) if dataset else ("", [])
        rows = (await db.execute(f"select * from {HISTORY}{where} order by dataset, version desc", params)).rows
        visible: dict[str, bool] = {}
        for row in rows:
            name = row["dataset"]
            if name not in visible:
                visible[name] = await can_view(datasette, actor, database, name)
            if visible[name]:
                entries.append(dict(row, database=database))
    entries.sort(key=lambda entry: entry["published_at"] or "", reverse=True)  # stable: ties keep the SQL order
    return entries


def entry_url(entry: dict, visible_ids: set[str]) -> str:
    """Where an entry points: its dataset's page, or the history table once the dataset has been withdrawn."""
    if entry["dataset"] in visible_ids:
        return f"/datasets/{entry['dataset']}#release-{entry['version']}"
    if entry["database"] == PUBLIC:
        return f"/{PUBLIC}/{HISTORY}?dataset={entry['dataset']}"
    return "/"  # the restricted history table opens to all-dataset tokens only: no page fits every reader


async def dates(datasette, actor) -> dict[str, dict]:
    """Per visible dataset, when it was first published (`issued`) and last changed (`modified`), from its
    history: ISO 8601 with Vietnam's offset. A withdrawal and a republication start a new `issued`."""
    found: dict[str, dict] = {}
    for entry in sorted(await history(datasette, actor), key=lambda e: (e["dataset"], e["version"])):
        if not entry["published_at"]:
            continue
        current = found.setdefault(entry["dataset"], {"issued": entry["published_at"]})
        if entry["change"] in ("first", "republished"):
            current["issued"] = entry["published_at"]
        current["modified"] = entry["published_at"]
    return found
