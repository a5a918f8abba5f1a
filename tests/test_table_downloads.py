"""Whole-table files of the release (CSV, XLSX, JSON): written by the real build, sealed, served at
/downloads/<table>.<format>, and named with their size by every catalogue."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from frictionless import Package

from plugins.dataset_pages import file_size
from plugins.portal_site.contract import DOWNLOAD_FORMATS
from scripts.build.publish import release_seal
from scripts.serve import command as serve
from scripts.serve import token_store

pytestmark = pytest.mark.slow
RESTRICTED_TABLES = ("vneid_accounts_pseudonymised", "online_applications_pseudonymised")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(sample_release):
    return serve.app(sample_release.release)


def public_tables(release: Path) -> list[str]:
    with sqlite3.connect(release / "portal.db") as db:
        return [row[0] for row in db.execute("select id from catalogue order by id")]


def stored_rows(release: Path, table: str) -> pd.DataFrame:
    """The table as portal.db holds it, in its stored order, rowid first for a table keyed by it alone; each value
    as text as CSV writes it (NULL empty)."""
    with sqlite3.connect(release / "portal.db") as db:
        keyed = any(row[5] for row in db.execute(f"pragma table_info([{table}])"))
        cursor = db.execute(f"select {'' if keyed else 'rowid, '}* from [{table}] order by rowid")
        names = [column[0] for column in cursor.description]
        rows = [["" if value is None else str(value) for value in row] for row in cursor]
    return pd.DataFrame(rows, columns=names, dtype=object)


def test_every_public_table_has_its_whole_csv_file_in_the_sealed_release(sample_release):
    release = sample_release.release
    tables = public_tables(release)
    assert len(tables) == 13
    files = sorted(path.name for path in (release / "downloads").iterdir())
    # no restricted table, nothing else
    assert files == sorted(f"{table}.{kind}" for table in tables for kind in ("csv", "xlsx", "json"))
    assert not any(name.startswith(RESTRICTED_TABLES) for name in files)
    sealed = (release / release_seal.SEAL).read_text(encoding="utf-8")
    metadata = json.loads((release / "metadata.json").read_text(encoding="utf-8"))["databases"]["portal"]["tables"]
    for table in tables:
        path = release / "downloads" / f"{table}.csv"
        content = path.read_bytes()
        assert content.startswith(codecs.BOM_UTF8), table
        digest = hashlib.sha256(content).hexdigest()
        assert f"{digest}  downloads/{table}.csv\n" in sealed
        assert metadata[table]["download"] == {
            "path": f"downloads/{table}.csv",
            "bytes": len(content),
            "sha256": digest,
        }
        expected = stored_rows(release, table)
        read = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=object, keep_default_na=False)
        assert list(read.columns) == list(expected.columns), table
        assert len(read) == len(expected) > 0, table
        assert read.equals(expected), table
        for kind in ("xlsx", "json"):
            content = (release / "downloads" / f"{table}.{kind}").read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            assert f"{digest}  downloads/{table}.{kind}\n" in sealed
            described = metadata[table][DOWNLOAD_FORMATS][kind]
            assert (described["path"], described["bytes"], described["sha256"]) == (
                f"downloads/{table}.{kind}",
                len(content),
                digest,
            )
        with sqlite3.connect(release / "portal.db") as db:
            db.row_factory = sqlite3.Row
            names = list(expected.columns)
            rows = [dict(row) for row in db.execute(f"select {', '.join(names)} from [{table}] order by rowid")]
        assert json.loads((release / "downloads" / f"{table}.json").read_bytes()) == rows, table
        workbook = openpyxl.load_workbook(release / "downloads" / f"{table}.xlsx", read_only=True)
        sheet = workbook.worksheets[0]
        cells = list(sheet.iter_rows(values_only=True))
        assert len(cells) == len(rows) + 1 and len(workbook.worksheets) == 2, table
        # every value of the table, the type SQLite holds it in (an empty text stays an empty cell)
        assert [list(row) for row in cells[1:]] == [[None if v == "" else v for v in row.values()] for row in rows]
        workbook.close()
    assert max(len(stored_rows(release, table)) for table in tables) > 1000
    assert release_seal.problem(release) is None


def test_a_changed_or_missing_download_makes_the_release_incomplete(sample_release, tmp_path):
    copy = tmp_path / "0001"
    shutil.copytree(sample_release.release, copy)
    target = copy / "downloads" / "communes.csv"
    target.write_bytes(target.read_bytes() + b"1,x\r\n")
    assert release_seal.problem(copy) == f"downloads/communes.csv differs from its checksum in {release_seal.SEAL}"
    target.unlink()
    assert release_seal.problem(copy) == "downloads/communes.csv is missing"


async def test_every_catalogue_gives_the_file_and_its_size(app, sample_release):
    release = sample_release.release
    sizes = {table: (release / "downloads" / f"{table}.csv").stat().st_size for table in public_tables(release)}
    url = {table: f"http://localhost/downloads/{table}.csv" for table in sizes}

    dcat = (await app.client.get("/catalog.jsonld")).json()
    for dataset in dcat["dcat:dataset"]:
        [csv] = [d for d in dataset["dcat:distribution"] if d["@id"].endswith("#csv")]
        table = dataset["dct:identifier"]
        assert csv["dcat:downloadURL"] == {"@id": url[table]}
        assert csv["dcat:byteSize"] == {"@value": str(sizes[table]), "@type": "xsd:nonNegativeInteger"}
        assert csv["dcat:mediaType"]["@id"] == "https://www.iana.org/assignments/media-types/text/csv"

    package = (await app.client.get("/datapackage.json")).json()
    for resource in (r for r in package["resources"] if r["format"] == "csv"):
        assert resource["path"] == url[resource["name"]] and resource["bytes"] == sizes[resource["name"]]
        digest = hashlib.sha256((release / "downloads" / f"{resource['name']}.csv").read_bytes()).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"

    pod = (await app.client.get("/data.json")).json()
    assert {d["identifier"].rsplit("/", 1)[1]: d["distribution"][0]["downloadURL"] for d in pod["dataset"]} == url

    for table, size in sizes.items():
        ckan = (await app.client.get(f"/api/3/action/package_show?id={table}")).json()["result"]
        [resource] = [r for r in ckan["resources"] if r["format"] == "CSV"]
        assert resource["url"] == url[table] and resource["size"] == size

    page = (await app.client.get("/datasets/residents_sample")).text
    size = sizes["residents_sample"]
    assert f'"contentUrl": "{url["residents_sample"]}", "contentSize": "{size} B"' in page
    assert (
        f'<a href="/downloads/residents_sample.csv" type="text/csv">CSV</a> (toàn bộ bảng, UTF-8 có BOM, mở đúng '
        f"tiếng Việt trong Excel, {file_size(size, 'vi')})"
    ) in page
    english = (await app.client.get("/datasets/residents_sample?lang=en")).text
    assert '<a href="/downloads/residents_sample.csv" type="text/csv">CSV</a> (whole table, ' in english
    assert f"{file_size(size, 'en')})" in english


async def test_every_catalogue_gives_the_xlsx_file_and_its_size(app, sample_release):
    release = sample_release.release
    sizes = {table: (release / "downloads" / f"{table}.xlsx").stat().st_size for table in public_tables(release)}
    url = {table: f"http://localhost/downloads/{table}.xlsx" for table in sizes}

    dcat = (await app.client.get("/catalog.jsonld")).json()
    for dataset in dcat["dcat:dataset"]:
        table = dataset["dct:identifier"]
        [xlsx] = [d for d in dataset["dcat:distribution"] if d["@id"].endswith("#xlsx")]
        assert xlsx["dcat:downloadURL"] == {"@id": url[table]}
        assert xlsx["dcat:byteSize"] == {"@value": str(sizes[table]), "@type": "xsd:nonNegativeInteger"}
        assert xlsx["dcat:mediaType"]["@id"] == f"https://www.iana.org/assignments/media-types/{XLSX}"
        assert xlsx["dct:format"]["@id"] == "http://publications.europa.eu/resource/authority/file-type/XLSX"

    package = (await app.client.get("/datapackage.json")).json()
    resources = {r["name"]: r for r in package["resources"]}
    for table, size in sizes.items():
        resource = resources[f"{table}-xlsx"]
        digest = hashlib.sha256((release / "downloads" / f"{table}.xlsx").read_bytes()).hexdigest()
        assert (resource["path"], resource["bytes"], resource["hash"], resource["mediatype"]) == (
            url[table],
            size,
            f"sha256:{digest}",
            XLSX,
        )

    pod = (await app.client.get("/data.json")).json()
    for dataset in pod["dataset"]:
        table = dataset["identifier"].rsplit("/", 1)[1]
        [xlsx] = [d for d in dataset["distribution"] if d.get("format") == "XLSX"]
        assert xlsx["downloadURL"] == url[table] and xlsx["mediaType"] == XLSX

    for table, size in sizes.items():
        ckan = (await app.client.get(f"/api/3/action/package_show?id={table}")).json()["result"]
        [resource] = [r for r in ckan["resources"] if r["format"] == "XLSX"]
        assert (resource["url"], resource["size"], resource["mimetype"]) == (url[table], size, XLSX)
        assert [r["position"] for r in ckan["resources"]] == [0, 1, 2]

    page = (await app.client.get("/datasets/residents_sample")).text
    size = sizes["residents_sample"]
    assert (
        f'{{"@type": "DataDownload", "encodingFormat": "{XLSX}", "contentUrl": "{url["residents_sample"]}", '
        f'"contentSize": "{size} B"}}'
    ) in page
    assert f'<a href="/downloads/residents_sample.xlsx" type="{XLSX}">XLSX</a>' in page
    assert f"{file_size(size, 'vi')})" in page
    json_size = (release / "downloads" / "residents_sample.json").stat().st_size
    assert (
        f'<a href="/downloads/residents_sample.json" type="application/json">JSON</a> (toàn bộ bảng, mảng các '
        f"đối tượng, {file_size(json_size, 'vi')})"
    ) in page


def test_sizes_are_written_as_the_reader_writes_them():
    assert file_size(3_200_000, "vi") == "3,2 MB" and file_size(3_200_000, "en") == "3.2 MB"
    assert file_size(268_992, "vi") == "269,0 kB" and file_size(999, "en") == "999 B"
    assert file_size(None, "vi") == ""


async def test_the_data_package_validates_over_the_release_files(app, sample_release, tmp_path):
    descriptor = (await app.client.get("/datapackage.json")).json()
    for resource in descriptor["resources"]:
        # the release's file byte for byte (frictionless reads paths inside the package's directory only), with the
        # size and digest the descriptor declares
        name = resource["path"].rsplit("/", 1)[1]
        shutil.copyfile(sample_release.release / "downloads" / name, tmp_path / name)
        resource["path"] = name
        assert resource.pop("scheme") in ("http", "https")  # what frictionless says of the URL, not of a local file
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    assert len(report.tasks) == 26  # CSV and XLSX of each table
    assert all(task.stats["bytes"] > 0 and task.stats["rows"] > 0 for task in report.tasks)
    # a declared size that differs from the file is caught, so the size above was checked
    descriptor["resources"][0]["bytes"] += 1
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    broken = Package(str(tmp_path / "datapackage.json")).validate()
    assert ["byte-count"] in broken.flatten(["type"])


async def test_the_route_answers_the_file_with_its_headers(app, sample_release):
    path = sample_release.release / "downloads" / "residents_sample.csv"
    response = await app.client.get("/downloads/residents_sample.csv")
    assert response.status_code == 200 and response.content == path.read_bytes()
    headers = response.headers
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert headers["content-disposition"] == (
        "attachment; filename=\"residents_sample.csv\"; filename*=UTF-8''residents_sample.csv"
    )
    assert headers["content-length"] == str(path.stat().st_size)
    assert headers["cache-control"] == "max-age=300"
    release = sample_release.release.name
    assert headers["etag"].startswith(f'W/"r{release}-') and headers["x-portal-release"] == release
    again = await app.client.get("/downloads/residents_sample.csv", headers={"If-None-Match": headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = await app.client.head("/downloads/residents_sample.csv")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(path.stat().st_size) and head.headers["etag"] == headers["etag"]


@pytest.mark.parametrize(("kind", "content_type"), [("xlsx", XLSX), ("json", "application/json; charset=utf-8")])
async def test_the_route_answers_the_xlsx_and_json_files_with_their_headers(app, sample_release, kind, content_type):
    path = sample_release.release / "downloads" / f"communes.{kind}"
    response = await app.client.get(f"/downloads/communes.{kind}")
    assert response.status_code == 200 and response.content == path.read_bytes()
    headers = response.headers
    assert headers["content-type"] == content_type and headers["content-length"] == str(path.stat().st_size)
    assert (
        headers["content-disposition"] == f"attachment; filename=\"communes.{kind}\"; filename*=UTF-8''communes.{kind}"
    )
    csv_tag = (await app.client.get("/downloads/communes.csv")).headers["etag"]
    assert headers["etag"].startswith(f'W/"r{sample_release.release.name}-') and headers["etag"] != csv_tag
    again = await app.client.get(f"/downloads/communes.{kind}", headers={"If-None-Match": headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_a_partner_token_gets_the_file_with_its_own_validator(app, sample_release):
    expires = token_store.expiry("2099-12-31", dt.date.today())
    _, token = token_store.create(Path(os.environ["PORTAL_TOKENS_DB"]), "Sở Y tế", "*", expires)
    auth = {"Authorization": f"Bearer {token}"}
    response = await app.client.get("/downloads/communes.csv", headers=auth)
    assert response.status_code == 200
    assert response.content == (sample_release.release / "downloads" / "communes.csv").read_bytes()
    tag = response.headers["etag"]
    assert tag.startswith(f'"r{sample_release.release.name}-') and "no-store" in response.headers["cache-control"]
    again = await app.client.get("/downloads/communes.csv", headers=dict(auth, **{"If-None-Match": f"W/{tag}"}))
    assert again.status_code == 304
    assert (await app.client.get("/downloads/communes.xlsx", headers=auth)).status_code == 200
    # a token opens no restricted table as a file either, in any format
    for table in RESTRICTED_TABLES:
        for kind in ("csv", "xlsx", "json"):
            assert (await app.client.get(f"/downloads/{table}.{kind}", headers=auth)).status_code == 404


async def _raw_get(app, path: str) -> tuple[int, dict, bytes]:
    """A GET of `path` exactly as written (HTTP clients remove dot segments before sending): status, headers,
    body."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 1),
        "server": ("localhost", 80),
        "root_path": "",
    }
    await app.app()(scope, receive, send)
    headers = {name.lower(): value for name, value in sent[0]["headers"]}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


async def test_nothing_but_the_public_files_is_answered(app, sample_release):
    release = sample_release.release
    assert (release / "restricted.db").is_file()
    for path in [
        *(f"/downloads/{table}.{kind}" for table in RESTRICTED_TABLES for kind in ("csv", "xlsx", "json")),
        "/downloads/catalogue.csv",
        "/downloads/catalogue.xlsx",
        "/downloads/dataset_releases.json",
        "/downloads/communes.xls",
        "/downloads/communes.XLSX",
        "/downloads/communes.xlsx.csv",
        "/downloads/dataset_releases.csv",
        "/downloads/no_such_table.csv",
        "/downloads/communes.db",
        "/downloads/communes",
        "/downloads/COMMUNES.csv",
    ]:
        response = await app.client.get(path)
        assert response.status_code == 404, path
        assert "vneid_accounts" not in response.text
    for path in [
        "/downloads/../restricted.db",
        "/downloads/../../restricted.db",
        "/downloads/../downloads/communes.csv",
        "/downloads/..%2Frestricted.db",
        "/downloads/%2e%2e/restricted.db",
        "/downloads/~2E~2E~2Frestricted.db",
        "/downloads/communes.csv/../../restricted.db",
        "/downloads/",
        "/downloads/.%2E/restricted.db",
    ]:
        status, headers, body = await _raw_get(app, path)
        if status == 302:  # Datasette's redirect of %-escapes to its ~-escapes, then the same 404
            status, headers, body = await _raw_get(app, headers[b"location"].decode())
        assert status == 404 and not body.startswith(b"SQLite format 3"), path
    assert (await app.client.post("/downloads/communes.csv")).status_code in (403, 405)


def test_the_downloads_process_fails_in_one_line_and_stops_with_the_build(tmp_path):
    # The whole-table files are written by a process of their own beside the build (downloads.in_background).
    from scripts.build.publish import downloads
    from scripts.build.steps import BuildFailed

    small = tmp_path / "small.db"
    with sqlite3.connect(small) as db:
        db.execute("create table tasks (code text primary key, n integer)")
        db.execute("insert into tasks values ('001', 3)")
    build_memory = bytearray(300 * 2**20)  # a build's memory, resident when the process is started
    build_memory[::4096] = b"\1" * len(build_memory[::4096])
    with downloads.in_background() as background:
        written, seconds, peak = background.submit(tmp_path, small, {"tasks": {}}).result()
    del build_memory
    assert written["tasks"]["download"]["path"] == "downloads/tasks.csv" and seconds > 0
    # its own memory, not the build's that Linux's getrusage would carry into it
    assert 0 < peak < 200 * 2**20
    with downloads.in_background() as background:
        pending = background.submit(tmp_path, tmp_path / "missing.db", {"tasks": {}})
        with pytest.raises(BuildFailed) as failed:
            pending.result()
    assert str(failed.value).startswith("writing the whole-table files (downloads/) failed: ")
    assert "\n" not in str(failed.value) and "Traceback" not in str(failed.value)
    # A build that fails while they are written stops the process rather than leave it running: here it waits for
    # ever to open its database, a named pipe nobody writes to.
    os.mkfifo(tmp_path / "blocked.db")
    with pytest.raises(RuntimeError), downloads.in_background() as background:
        slow = background.submit(tmp_path, tmp_path / "blocked.db", {"tasks": {}})
        time.sleep(1)
        assert slow.process.poll() is None  # still waiting
        raise RuntimeError("the build failed meanwhile")
    assert slow.process.returncode == -signal.SIGKILL
