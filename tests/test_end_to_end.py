"""The real build on the small synthetic sample, served by the real Datasette app and by `make serve`'s command."""

from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest

from scripts.build.spec.manifest import load_manifest
from scripts.serve import command as serve
from scripts.serve.loopback import serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(sample_release):
    return serve.app(sample_release.release)


def test_every_manifest_entry_is_published_or_explained(sample_release):
    manifest = load_manifest(sample_release.data / "manifest.yml")
    outcome = sample_release.outcome
    for entry in manifest.datasets:
        assert (entry.id in outcome.published) != (entry.id in outcome.skipped), entry.id
        if not entry.approved:
            assert entry.id in outcome.skipped
    assert {"project06_tasks", "pilot_models", "online_procedures", "communes"} <= set(outcome.published)


def test_every_published_table_has_metadata_and_every_metadata_table_exists(sample_release):
    db = sqlite3.connect(sample_release.release / "portal.db")
    hidden = ("_fts", "sqlite_")
    tables = {
        name
        for (name,) in db.execute("select name from sqlite_master where type = 'table'")
        if not any(marker in name for marker in hidden)
    }
    served = json.loads((sample_release.release / "metadata.json").read_text())["databases"]["portal"]["tables"]
    assert tables == set(served)
    for name, table in served.items():
        columns = [row[1] for row in db.execute(f"pragma table_info([{name}])")]
        assert table["title"] and table["description_html"], name
        assert set(table["columns"]) == set(columns), name


def test_project06_figures_match_the_report(sample_release):
    db = sqlite3.connect(sample_release.release / "portal.db")
    assert db.execute("select count(*) from project06_tasks").fetchone() == (41,)
    assert db.execute("select count(distinct task_group) from project06_tasks").fetchone() == (7,)


async def test_pages_json_facets_search_and_csv(app):
    home = await app.client.get("/")
    assert home.status_code == 200 and "Cổng dữ liệu mở" in home.text
    catalogue = (await app.client.get("/portal/catalogue.json?_shape=array")).json()
    assert {row["id"] for row in catalogue} >= {"project06_tasks", "communes"}
    for row in catalogue:
        page = await app.client.get(row["table_url"])
        assert page.status_code == 200, row["table_url"]
        assert "Dữ liệu mẫu tổng hợp" in page.text, row["table_url"]
        data = (await app.client.get(row["table_url"] + ".json?_extra=facet_results")).json()
        assert data["facet_results"], row["table_url"]
        csv = await app.client.get(row["table_url"] + ".csv")
        assert csv.status_code == 200 and csv.text.count("\n") >= min(row["row_count"], 100)
    found = (await app.client.get("/portal/communes.json?_shape=array&_search=ha long")).json()
    assert found and all("Hạ Long" in " ".join(str(v) for v in r.values()) for r in found)


async def test_pagination_walks_every_row(app):
    seen, url = 0, "/portal/online_procedures.json?_size=50&_sort_desc=applications_h1_2024"
    while url:
        data = (await app.client.get(url)).json()
        seen += len(data["rows"])
        url = (
            f"/portal/online_procedures.json?_size=50&_sort_desc=applications_h1_2024&_next={data['next']}"
            if data["next"]
            else None
        )
    count = (await app.client.get("/portal.json?sql=select+count(*)+as+n+from+online_procedures&_shape=array")).json()
    assert seen == count[0]["n"]


def test_serve_command_serves_the_release_on_loopback(sample_release):
    with (
        serving(lambda port: serve.command(sample_release.release, port=port)) as base,
        urllib.request.urlopen(f"{base}/portal/project06_tasks.json?_shape=array") as response,
    ):
        rows = json.load(response)
    assert len(rows) == 41
