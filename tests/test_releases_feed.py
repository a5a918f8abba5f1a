"""The release history and its Atom feeds, on real builds of a tiny inline data/ directory served by the real app."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.build.pipeline import build
from scripts.build.publish import release
from scripts.serve import command as serve
from scripts.serve import token_store
from tests.conftest import CSV, MANIFEST

ATOM = "{http://www.w3.org/2005/Atom}"
TASKS_ENTRY = MANIFEST[MANIFEST.index("  - id: tasks") :]
NEW_ROW = "004,Kết nối dữ liệu dân cư,Công an tỉnh,01/12/2024,Không,50\r\n"


def _add_dataset(data_dir: Path, dataset: str, title_vi: str, title_en: str, access: str = "public") -> None:
    """Another dataset with the tasks spec and its own copy of the extract."""
    title = f'title: {{vi: "{title_vi}", en: "{title_en}"}}'
    entry = (
        TASKS_ENTRY.replace("id: tasks", f"id: {dataset}")
        .replace('title: {vi: "Nhiệm vụ", en: "Tasks"}', title)
        .replace("raw/tasks.csv", f"raw/{dataset}.csv")
        .replace("access: public", f"access: {access}")
    )
    with open(data_dir / "manifest.yml", "a", encoding="utf-8") as manifest:
        manifest.write(entry)
    (data_dir / "raw" / f"{dataset}.csv").write_text(CSV, encoding="utf-8")


def _set_tasks(data_dir: Path, text: str) -> None:
    (data_dir / "raw" / "tasks.csv").write_text(text, encoding="utf-8")


def _withdraw_all_but_tasks(data_dir: Path) -> None:
    manifest = data_dir / "manifest.yml"
    withdrawn = manifest.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn")
    manifest.write_text(withdrawn.replace("status: withdrawn", "status: approved", 1), encoding="utf-8")


def _drop_budget_column(data_dir: Path) -> None:
    """The tasks spec, which every dataset here uses, and every extract without their last column, Kinh phí."""
    spec = data_dir / "specs" / "tasks.yml"
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "name: budget" in line)
    spec.write_text("".join(lines[:start] + lines[start + 2 :]), encoding="utf-8")
    for extract in (data_dir / "raw").glob("*.csv"):
        rows = extract.read_text(encoding="utf-8").splitlines()
        extract.write_text("".join(row.rsplit(",", 1)[0] + "\r\n" for row in rows), encoding="utf-8")


def _history(release_dir: Path, database: str = "portal") -> list[dict]:
    db = sqlite3.connect(release_dir / f"{database}.db")
    db.row_factory = sqlite3.Row
    return [dict(row) for row in db.execute("select * from dataset_releases order by dataset, version")]


def _versions(history: list[dict], dataset: str) -> list[tuple[int, str, str]]:
    return [(e["version"], e["release"], e["change"]) for e in history if e["dataset"] == dataset]


@pytest.fixture
def data(data_dir):
    _add_dataset(data_dir, "milestones", "Mốc tiến độ", "Milestones")
    _add_dataset(data_dir, "partner_tasks", "Nhiệm vụ đối tác", "Partner tasks", access="restricted")
    return data_dir


@pytest.fixture
def two_builds(data, portal_metadata, tmp_path):
    """A first release, then a second one in which only the tasks extract gained a row."""
    first, _ = build(data, tmp_path / "build", portal_metadata)
    _set_tasks(data, CSV + NEW_ROW)
    second, outcome = build(data, tmp_path / "build", portal_metadata)
    return first, second, outcome


def test_a_changed_dataset_gets_a_new_version_and_the_others_none(two_builds):
    first, second, outcome = two_builds
    history = _history(second)
    assert _versions(history, "tasks") == [(1, first.name, "first"), (2, second.name, "changed")]
    assert _versions(history, "milestones") == [(1, first.name, "first")]
    before, latest = [e for e in history if e["dataset"] == "tasks"]
    assert (latest["rows"], latest["summary_vi"], latest["summary_en"]) == (4, "Số dòng 3 → 4", "Rows 3 → 4")
    assert latest["content_hash"] != before["content_hash"]
    assert [(c["dataset"], c["version"]) for c in outcome.changes] == [("tasks", 2)]


def test_summaries_name_changed_values_and_ignore_row_order(data, portal_metadata, tmp_path):
    first, _ = build(data, tmp_path / "build", portal_metadata)
    header, *rows = CSV.split("\r\n")[:-1]
    _set_tasks(data, "\r\n".join([header, *reversed(rows)]) + "\r\n")
    reordered, outcome = build(data, tmp_path / "build", portal_metadata)
    assert outcome.changes == [] and _versions(_history(reordered), "tasks") == [(1, first.name, "first")]
    _set_tasks(data, CSV.replace("Cấp căn cước", "Cấp thẻ căn cước"))
    _, outcome = build(data, tmp_path / "build", portal_metadata)
    [change] = outcome.changes
    assert change["summary_en"] == "Values changed, same rows and columns"
    assert change["summary_vi"] == "Giá trị thay đổi, số dòng và các cột giữ nguyên"
    _drop_budget_column(data)
    _, outcome = build(data, tmp_path / "build", portal_metadata)
    assert sorted((c["dataset"], c["summary_vi"], c["summary_en"]) for c in outcome.changes) == [
        (dataset, "Bỏ cột: budget", "Columns removed: budget") for dataset in ("milestones", "partner_tasks", "tasks")
    ]


def test_the_history_outlives_pruned_releases(data, portal_metadata, tmp_path):
    builds = release.KEEP_RELEASES + 2
    for n in range(builds):
        _set_tasks(data, CSV + "".join(f"1{i:02d},Nhiệm vụ {i},Công an tỉnh,,Có,{i}\r\n" for i in range(n)))
        current, _ = build(data, tmp_path / "build", portal_metadata)
    assert not (tmp_path / "build" / "releases" / "0001").exists()
    history = _history(current)
    assert _versions(history, "tasks") == [
        (n + 1, f"{n + 1:04d}", "first" if n == 0 else "changed") for n in range(builds)
    ]
    assert _versions(history, "milestones") == [(1, "0001", "first")]


def test_a_rollback_serves_the_history_of_that_release(two_builds, data, portal_metadata, tmp_path):
    first, _, _ = two_builds
    assert release.rollback(tmp_path / "build") == first
    assert _versions(_history(release.current_release(tmp_path / "build")), "tasks") == [(1, "0001", "first")]
    third, _ = build(data, tmp_path / "build", portal_metadata)
    assert _versions(_history(third), "tasks") == [(1, "0001", "first"), (2, third.name, "changed")]


def test_withdrawal_and_republication_are_recorded(two_builds, data, portal_metadata, tmp_path):
    manifest = data / "manifest.yml"
    published = manifest.read_text(encoding="utf-8")
    _withdraw_all_but_tasks(data)
    withdrawn, _ = build(data, tmp_path / "build", portal_metadata)
    public, restricted = _history(withdrawn), _history(withdrawn, "restricted")
    assert _versions(public, "milestones")[-1] == (2, withdrawn.name, "withdrawn")
    [last] = [e for e in public if e["dataset"] == "milestones" and e["version"] == 2]
    assert last["rows"] is None and last["summary_en"] == "Withdrawn"
    # restricted.db stays while it has history, even with no restricted dataset left to publish
    assert _versions(restricted, "partner_tasks")[-1] == (2, withdrawn.name, "withdrawn")
    manifest.write_text(published, encoding="utf-8")
    again, _ = build(data, tmp_path / "build", portal_metadata)
    assert _versions(_history(again), "milestones")[-1] == (3, again.name, "republished")


def test_restricted_history_stays_in_the_restricted_file_and_every_table_has_metadata(two_builds):
    _, second, _ = two_builds
    assert {e["dataset"] for e in _history(second)} == {"tasks", "milestones"}
    assert {e["dataset"] for e in _history(second, "restricted")} == {"partner_tasks"}
    served = json.loads((second / "metadata.json").read_text())["databases"]
    for database in ("portal", "restricted"):
        db = sqlite3.connect(second / f"{database}.db")
        tables = {
            name
            for (name,) in db.execute("select name from sqlite_master where type = 'table'")
            if "_fts" not in name and not name.startswith("sqlite_")
        }
        assert tables == set(served[database]["tables"]), database
        columns = [row[1] for row in db.execute("pragma table_info(dataset_releases)")]
        assert set(served[database]["tables"]["dataset_releases"]["columns"]) == set(columns)


@pytest.fixture
def portal(two_builds, tmp_path):
    """The second release served, with a token for the restricted dataset."""
    tokens = tmp_path / "tokens.db"
    _, token = token_store.create(tokens, "Sở Y tế", "partner_tasks", token_store.expiry("2099-12-31", dt.date.today()))
    return serve.app(two_builds[1], tokens), {"Authorization": f"Bearer {token}"}


def _feed(response) -> ET.Element:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{tag}"), tag
    [self_link] = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("href") == root.findtext(f"{ATOM}id")
    assert root.find(f"{ATOM}author/{ATOM}name").text
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "summary", "content"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))  # RFC 3339
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    return root


def _entries(root: ET.Element) -> list[dict]:
    return [
        {
            "id": e.findtext(f"{ATOM}id"),
            "title": e.findtext(f"{ATOM}title"),
            "summary": e.findtext(f"{ATOM}summary"),
            "updated": e.findtext(f"{ATOM}updated"),
            "link": e.find(f"{ATOM}link").get("href"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


async def test_the_portal_feed_lists_public_versions_newest_first(portal):
    app, _ = portal
    response = await app.client.get("/releases.atom")
    root = _feed(response)
    assert root.findtext(f"{ATOM}id").endswith("/releases.atom")
    entries = _entries(root)
    assert len(entries) == 3 and len({e["id"] for e in entries}) == 3
    assert [e["updated"] for e in entries] == sorted((e["updated"] for e in entries), reverse=True)
    [changed] = [e for e in entries if e["id"].endswith("/datasets/tasks#release-2")]
    assert changed["title"] == "Nhiệm vụ — phiên bản 2: Số dòng 3 → 4" and "Rows 3 → 4" in changed["summary"]
    assert changed["link"].endswith("/datasets/tasks#release-2")
    assert "partner_tasks" not in response.text
    # a feed is not a page: nothing may run in it, and any site may read it
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["access-control-allow-origin"] == "*"


async def test_a_dataset_feed_lists_that_dataset_only(portal):
    app, _ = portal
    root = _feed(await app.client.get("/datasets/tasks/releases.atom"))
    assert [e["id"].rsplit("/", 1)[1] for e in _entries(root)] == ["tasks#release-2", "tasks#release-1"]
    assert "Nhiệm vụ" in root.findtext(f"{ATOM}title")
    assert (await app.client.get("/datasets/missing/releases.atom")).status_code == 404


async def test_anonymous_visitors_never_see_the_restricted_history(portal):
    app, headers = portal
    for path in ("/datasets/partner_tasks/releases.atom", "/datasets/partner_tasks"):
        assert (await app.client.get(path)).status_code == 404, path
    assert (await app.client.get("/restricted/dataset_releases.json")).status_code == 403
    rows = (await app.client.get("/portal/dataset_releases.json?_shape=array")).json()
    assert {row["dataset"] for row in rows} == {"tasks", "milestones"}
    # the token's holder sees the history of its dataset, in both feeds and on the page, but not the whole table
    entries = _entries(_feed(await app.client.get("/releases.atom", headers=headers)))
    assert any(e["id"].endswith("/datasets/partner_tasks#release-1") for e in entries)
    own = _entries(_feed(await app.client.get("/datasets/partner_tasks/releases.atom", headers=headers)))
    assert [e["title"] for e in own] == ["Nhiệm vụ đối tác — phiên bản 1: Công bố lần đầu (3 dòng)"]
    page = await app.client.get("/datasets/partner_tasks", headers=headers)
    assert 'id="release-1"' in page.text
    assert (await app.client.get("/restricted/dataset_releases.json", headers=headers)).status_code == 403


async def test_the_dataset_page_shows_the_history_and_links_the_feeds(portal):
    app, _ = portal
    page = (await app.client.get("/datasets/tasks")).text
    assert '<h2 id="releases">Lịch sử phát hành</h2>' in page
    assert '<tr id="release-2"><td>2</td><td>0002</td>' in page and "Số dòng 3 → 4" in page
    assert '<link rel="alternate" type="application/atom+xml" href="/datasets/tasks/releases.atom"' in page
    english = (await app.client.get("/datasets/tasks?lang=en")).text
    assert "Release history" in english and "Rows 3 → 4" in english
    home = (await app.client.get("/")).text
    assert '<link rel="alternate" type="application/atom+xml" href="/releases.atom"' in home
    assert "/releases.atom" in (await app.client.get("/openapi.json")).json()["paths"]


@pytest.fixture
def withdrawn(two_builds, data, portal_metadata, tmp_path):
    """A third release from which every dataset but tasks was withdrawn."""
    _withdraw_all_but_tasks(data)
    return build(data, tmp_path / "build", portal_metadata)[0]


async def test_a_withdrawn_dataset_stays_in_the_feeds(withdrawn, tmp_path):
    app = serve.app(withdrawn, tmp_path / "tokens.db")
    entries = _entries(_feed(await app.client.get("/datasets/milestones/releases.atom")))
    assert entries[0]["title"] == "Mốc tiến độ — phiên bản 2: Ngừng công bố"
    assert entries[0]["link"].endswith("/portal/dataset_releases?dataset=milestones")
    assert (await app.client.get("/datasets/milestones")).status_code == 404
    assert (await app.client.get("/datasets/partner_tasks/releases.atom")).status_code == 404
