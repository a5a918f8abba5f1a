"""Project 06 progress from the tasks dataset: done, in progress, not started and overdue, per task group and in
total, on the day the data describes.

Overdue, exactly: a task with a deadline before the as-of date (the latest `status_on` of the dataset, the day its
statuses describe) that is not done on that day. A task due on the as-of date itself is not overdue yet, and a task
without a deadline (an ongoing one) never is. Each figure comes with the address of the table filtered to the tasks
it counts, so the number and the list cannot disagree: both use the same conditions.
"""

from __future__ import annotations

from urllib.parse import urlencode

from .contract import PUBLIC

TASKS = "project06_tasks"
DONE, IN_PROGRESS, NOT_STARTED = "Hoàn thành", "Đang thực hiện", "Chưa thực hiện"
STATES = (("done", DONE), ("in_progress", IN_PROGRESS), ("not_started", NOT_STARTED))


def task_list(filters: dict[str, str]) -> str:
    """The tasks table filtered with Datasette's column filters (its default facets come with it, once)."""
    query = urlencode(filters)
    return f"/{PUBLIC}/{TASKS}" + (f"?{query}" if query else "")


def _figures(row: dict, as_of: str | None, group: dict[str, str]) -> dict:
    figures = {"total": {"n": row["total"], "url": task_list(group)}}
    for key, status in STATES:
        figures[key] = {"n": row[key], "url": task_list({**group, "status": status})}
    if as_of is not None:
        figures["overdue"] = {
            "n": row["overdue"],
            "url": task_list({**group, "deadline__lt": as_of, "status__not": DONE}),
        }
    return figures


async def progress(db) -> dict | None:
    """Per task group and in total: {as_of, groups: [{group_no, task_group, figures}], total: figures}."""
    if not await db.table_exists(TASKS):
        return None
    columns = await db.table_columns(TASKS)
    as_of = None
    if "status_on" in columns:
        as_of = (await db.execute(f"select max(status_on) from {TASKS}")).rows[0][0]
    overdue = "sum(deadline is not null and deadline < :as_of and status != :done)" if as_of else "null"
    counts = (
        f"sum(status = :done) as done, sum(status = :in_progress) as in_progress, "
        f"sum(status = :not_started) as not_started, {overdue} as overdue, count(*) as total"
    )
    params = {"done": DONE, "in_progress": IN_PROGRESS, "not_started": NOT_STARTED, "as_of": as_of}
    groups = await db.execute(
        f"select group_no, task_group, {counts} from {TASKS} group by group_no, task_group order by group_no", params
    )
    total = (await db.execute(f"select {counts} from {TASKS}", params)).rows[0]
    return {
        "as_of": as_of,
        "groups": [
            {
                "group_no": row["group_no"],
                "task_group": row["task_group"],
                "figures": _figures(dict(row), as_of, {"task_group": row["task_group"]}),
            }
            for row in groups.rows
        ],
        "total": _figures(dict(total), as_of, {}),
    }
