"""The build runner on a tiny inline data/ directory: publish, skip, fail without touching the release."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scripts.build.pipeline import BuildFailed, build, main
from scripts.build.spec.manifest import ManifestError


def test_build_publishes_a_typed_release(data_dir, portal_metadata, tmp_path):
    release, outcome = build(data_dir, tmp_path / "build", portal_metadata)
    assert outcome.published == {"tasks": 3}
    db = sqlite3.connect(release / "portal.db")
    rows = db.execute("select code, name, deadline, done, budget from tasks order by code").fetchall()
    assert rows == [
        ("001", "Hoàn thiện thể chế", "2023-02-19", 1, 1200),
        ("002", "Cấp căn cước", "2024-03-05", 0, 300),
        ("003", "Dịch vụ công trực tuyến", None, 1, None),
    ]
    assert any("restored leading zeros" in r for r in outcome.repairs)
    assert any("thousands separators" in r for r in outcome.repairs)
    # Indexes on facet columns and full-text search without diacritics.
    indexes = {r[0] for r in db.execute("select name from sqlite_master where type='index' and tbl_name='tasks'")}
    assert any("unit" in name for name in indexes) and any("done" in name for name in indexes)
    hits = db.execute(
        "select name from tasks where rowid in (select rowid from tasks_fts where tasks_fts match 'the che')"
    )
    assert hits.fetchall() == [("Hoàn thiện thể chế",)]
    assert db.execute("select id, row_count, synthetic from catalogue").fetchall() == [("tasks", 3, 1)]
    served = json.loads((release / "metadata.json").read_text())
    tables = {"tasks", "catalogue", "disclosure_report", "dataset_releases"}
    assert set(served["databases"]["portal"]["tables"]) == tables
    assert json.loads((release / "inspect.json").read_text())["portal"]["tables"]["tasks"]["count"] == 3
    assert (tmp_path / "build" / "current").resolve() == release


def _manifest_with(data_dir: Path, old: str, new: str) -> None:
    path = data_dir / "manifest.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_unapproved_dataset_is_reported_and_skipped(data_dir, portal_metadata, tmp_path):
    _manifest_with(data_dir, "status: approved", "status: pending")
    release, outcome = build(data_dir, tmp_path / "build", portal_metadata)
    assert outcome.published == {}
    assert "pending" in outcome.skipped["tasks"]
    tables = {r[0] for r in sqlite3.connect(release / "portal.db").execute("select name from sqlite_master")}
    assert "tasks" not in tables


def test_dataset_removed_from_manifest_disappears_at_next_build(data_dir, portal_metadata, tmp_path):
    build(data_dir, tmp_path / "build", portal_metadata)
    text = (data_dir / "manifest.yml").read_text(encoding="utf-8")
    (data_dir / "manifest.yml").write_text(text[: text.index("datasets:")] + "datasets: []\n", encoding="utf-8")
    release, _outcome = build(data_dir, tmp_path / "build", portal_metadata)
    tables = {r[0] for r in sqlite3.connect(release / "portal.db").execute("select name from sqlite_master")}
    assert "tasks" not in tables
    assert "tasks" not in json.loads((release / "metadata.json").read_text())["databases"]["portal"]["tables"]


def test_personal_columns_are_never_published_raw(data_dir, portal_metadata, tmp_path):
    spec = data_dir / "specs" / "tasks.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            'header: "Đơn vị chủ trì", type: text, role: attribute',
            'header: "Đơn vị chủ trì", type: text, role: direct_identifier',
        ),
        encoding="utf-8",
    )
    _release, outcome = build(data_dir, tmp_path / "build", portal_metadata)
    assert "personal data" in outcome.skipped["tasks"]
    assert outcome.published == {}


def test_failed_build_leaves_the_current_release_byte_identical(data_dir, portal_metadata, tmp_path):
    first, _ = build(data_dir, tmp_path / "build", portal_metadata)
    before = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    assert Path("downloads/tasks.csv") in before
    csv = data_dir / "raw" / "tasks.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("5/3/2024", "31/02/2024"), encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(data_dir, tmp_path / "build", portal_metadata)
    assert "tasks.csv:3:4: column 'Thời hạn' (deadline): '31/02/2024' is not a valid date" in str(failure.value)
    assert (tmp_path / "build" / "current").resolve() == first
    assert {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()} == before
    assert not list((tmp_path / "build").glob(".staging-*"))


def test_malformed_manifest_names_entry_and_field(data_dir, portal_metadata, tmp_path, capsys):
    _manifest_with(data_dir, "update_frequency: monthly", "update_frequency: sometimes")
    with pytest.raises(ManifestError, match=r"dataset 'tasks' \(entry 1\) field 'update_frequency'"):
        build(data_dir, tmp_path / "build", portal_metadata)
    code = main(["--data", str(data_dir), "--build", str(tmp_path / "build"), "--metadata", str(portal_metadata)])
    assert code == 1
    assert "nothing was published" in capsys.readouterr().err
    assert not (tmp_path / "build" / "current").exists()
