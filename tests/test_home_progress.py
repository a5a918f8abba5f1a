"""Project 06 progress on the home page, in all its states, against the real build.

Overdue is defined as: a deadline before the as-of date (the dataset's status_on) and not done. The sample is
checked against figures worked out here from the release's own file; a small build of crafted tasks checks the
boundaries (due on the as-of date, no deadline, done late).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from collections import Counter
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from scripts.serve import command as serve
from tests.conftest import MANIFEST_HEAD, REPO, manifest_entry, write

DONE, IN_PROGRESS, NOT_STARTED = "Hoàn thành", "Đang thực hiện", "Chưa thực hiện"
COLUMNS = ("done", "in_progress", "not_started", "overdue", "total")


def page_figures(html: str) -> dict[str, list[tuple[int, str | None]]]:
    """Row header -> (number, link) per column of the progress table."""
    section = html[html.index('<section class="progress"') :]
    section = section[: section.index("</section>")]
    figures = {}
    for header, cells in re.findall(r'<th scope="row">(?:<span lang="vi">)?(.*?)(?:</span>)?</th>(.*?)</tr>', section):
        found = []
        for cell in re.findall(r"<td>(.*?)</td>", cells):
            link = re.match(r'<a href="(.*?)">(\d+)</a>', cell)
            found.append((int(link.group(2)), unescape(link.group(1))) if link else (0 if cell == "0" else None, None))
        figures[unescape(header)] = found
    return figures


def expected(rows: list[dict], as_of: dt.date) -> dict[str, Counter]:
    """Per group ("n. name") and for all: the counts, overdue by the definition."""
    out: dict[str, Counter] = {}
    for row in rows:
        for key in (f"{row['group_no']}. {row['task_group']}", "all"):
            counts = out.setdefault(key, Counter())
            counts["total"] += 1
            counts[{DONE: "done", IN_PROGRESS: "in_progress", NOT_STARTED: "not_started"}[row["status"]]] += 1
            deadline = row["deadline"] and dt.date.fromisoformat(row["deadline"])
            counts["overdue"] += bool(deadline and deadline < as_of and row["status"] != DONE)
    return out


async def check_page(app, database: str) -> dict:
    """The page's figures equal the ones worked out from the file, and each link lists exactly those tasks."""
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    rows = [dict(row) for row in connection.execute("select * from project06_tasks")]
    connection.close()
    as_of = dt.date.fromisoformat(max(row["status_on"] for row in rows))
    want = expected(rows, as_of)
    html = (await app.client.get("/?lang=vi")).text
    figures = page_figures(html)
    assert set(figures) == {key for key in want if key != "all"} | {"Tất cả nhóm"}
    for header, cells in figures.items():
        counts = want["all" if header == "Tất cả nhóm" else header]
        assert [n for n, _ in cells] == [counts[c] for c in COLUMNS], header
        for (n, link), column in zip(cells, COLUMNS):
            if not n:
                assert link is None  # a zero links nowhere
                continue
            query = parse_qsl(urlsplit(link).query)
            assert not [name for name, _ in query if name.startswith("_")], link  # no facets repeated in the link
            listed = (
                await app.client.get(f"{urlsplit(link).path}.json?{urlsplit(link).query}&_shape=array&_size=max")
            ).json()
            assert len(listed) == n, (header, column, link)
    return {"as_of": as_of, "want": want, "html": html}


@pytest.fixture(scope="module")
def sample_app(sample_release):
    return serve.app(sample_release.release)


async def test_the_sample_shows_every_state_per_group_and_in_total_each_linked(sample_app, sample_release):
    seen = await check_page(sample_app, str(sample_release.release / "portal.db"))
    total = seen["want"]["all"]
    assert (total["done"], total["in_progress"], total["not_started"], total["total"]) == (7, 29, 5, 41)
    assert seen["as_of"] == dt.date(2024, 6, 30)
    assert '<time datetime="2024-06-30">30/06/2024</time>' in seen["html"]
    english = (await sample_app.client.get("/?lang=en")).text
    assert '<time datetime="2024-06-30">30 Jun 2024</time>' in english and "Overdue" in english


TASKS = [  # (code, group, deadline, status, completed on)
    ("01", 1, "29/06/2024", "Đang thực hiện", ""),  # due the day before: overdue
    ("02", 1, "30/06/2024", "Đang thực hiện", ""),  # due on the as-of date: not yet
    ("03", 1, "01/07/2024", "Chưa thực hiện", ""),  # due after
    ("04", 1, "", "Đang thực hiện", ""),  # ongoing, no deadline: never
    ("05", 2, "31/12/2023", "Hoàn thành", "15/01/2024"),  # done late: done, not overdue
    ("06", 2, "31/03/2024", "Chưa thực hiện", ""),  # never started, long due: overdue
]


@pytest.fixture
def crafted_release(tmp_path):
    from scripts.build.pipeline import build

    data = tmp_path / "data"
    shutil.copy(REPO / "data" / "specs" / "project06_tasks.yml", write(data / "specs" / "x", "").parent)
    header = (
        "Mã nhiệm vụ,Nhóm,Nhóm nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn hoàn thành,"
        "Trạng thái,Ngày hoàn thành,Ghi chú,Tình trạng tại ngày"
    )
    lines = [
        f"{code},{group},Nhóm {group},Nhiệm vụ {code},Công an tỉnh,,{deadline},{status},{done},,30/06/2024"
        for code, group, deadline, status, done in TASKS
    ]
    write(data / "raw" / "project06_tasks.csv", "\n".join([header, *lines]) + "\n")
    write(data / "manifest.yml", MANIFEST_HEAD + manifest_entry("project06_tasks", "project06_tasks"))
    metadata = write(tmp_path / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
    release, _ = build(data, tmp_path / "build", metadata)
    return release


async def test_overdue_is_a_deadline_before_the_as_of_date_and_not_done(crafted_release):
    seen = await check_page(serve.app(crafted_release), str(crafted_release / "portal.db"))
    assert seen["want"]["1. Nhóm 1"]["overdue"] == 1 and seen["want"]["2. Nhóm 2"]["overdue"] == 1
    assert seen["want"]["all"]["overdue"] == 2 and seen["want"]["all"]["done"] == 1
