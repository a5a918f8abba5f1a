"""Each dataset's release history, carried from release to release in the database file that publishes it.

A release copies the history of the release it replaces and adds one entry per dataset whose published content
changed, appeared or disappeared. Reading the history from the previous release (not from a separate store) means
it survives the pruning of old releases, and a rollback serves the history as it stood at that release. Public
and restricted datasets each keep their history in their own file, so a restricted dataset's history is as
closed as the dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd

from plugins.portal_site.contract import HISTORY_TABLE
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.steps import BuildFailed

TABLE = HISTORY_TABLE
# Vietnam keeps one offset all year, so a fixed offset gives local times without a time-zone database.
VIETNAM = dt.timezone(dt.timedelta(hours=7))
FIRST, CHANGED, WITHDRAWN, REPUBLISHED = "first", "changed", "withdrawn", "republished"

COLUMNS = {
    "dataset": ("Tập dữ liệu", "Dataset id (its table name)"),
    "version": ("Phiên bản", "Version of the dataset: 1 at first publication, one more at each change"),
    "release": ("Đợt phát hành", "Release of the portal that published this version"),
    "published_at": ("Thời điểm phát hành", "When that release was built (ISO 8601, Vietnam time)"),
    "change": ("Loại thay đổi", "first, changed, withdrawn or republished"),
    "title_vi": ("Tên tập dữ liệu", "Title in Vietnamese at that release"),
    "title_en": ("Tên tiếng Anh", "Title in English at that release"),
    "rows": ("Số dòng", "Rows published in this version; empty when withdrawn"),
    "columns": ("Các cột", "Columns published in this version (JSON list)"),
    "summary_vi": ("Nội dung thay đổi", "What changed, in Vietnamese"),
    "summary_en": ("Nội dung thay đổi (tiếng Anh)", "What changed, in English"),
    "content_hash": ("Mã băm nội dung", "SHA-256 of the columns, their types and the rows, whatever their order"),
}
TYPES = {name: str for name in COLUMNS} | {"version": int, "rows": int}


def _plain(column: pd.Series, kind: type) -> tuple[np.ndarray, np.ndarray]:
    """A column as plain NumPy values and missing-value mask, in the type its SQL type implies.

    Hashing plain arrays keeps the digest a function of the values only: not of how pandas stored them (object,
    nullable or Arrow-backed strings), which changes with pandas versions and installed packages.
    """
    missing = column.isna().to_numpy(dtype=bool)
    try:
        if kind is int:
            return column.astype("Int64").fillna(0).to_numpy(dtype="int64"), missing
        if kind is float:
            return column.astype("Float64").fillna(0).to_numpy(dtype="float64"), missing
    except (TypeError, ValueError):
        pass  # not whole numbers after all: hashed as their text
    return column.astype("string").fillna("").to_numpy(dtype=object), missing


def content_hash(table: TableToLoad) -> str:
    """A stable digest of what a table publishes: column names and types, then its rows in any order."""
    frame = table.frame
    digest = hashlib.sha256()
    header = [[name, table.types.get(name, str).__name__] for name in frame.columns]
    digest.update(json.dumps(header, ensure_ascii=False).encode("utf-8"))
    hashes = []
    for name in frame.columns:
        values, missing = _plain(frame[name], table.types.get(name, str))
        hashes += [pd.util.hash_array(values, categorize=False), missing.astype(np.uint64)]
    if hashes:
        rows = np.ascontiguousarray(np.column_stack(hashes))
        # Each row's hashes as one opaque value, sorted: the pipeline's row order is not part of the content.
        ordered = np.sort(rows.view(np.dtype((np.void, rows.shape[1] * rows.itemsize))).ravel())
        digest.update(ordered.tobytes())
    return digest.hexdigest()


def read_history(path: Path | None) -> list[dict]:
    """The history carried by a release's database file; none before the first build or in older releases."""
    if path is None or not path.exists():
        return []
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            if not db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [TABLE]).fetchone():
                return []
            rows = db.execute(f"select * from [{TABLE}] order by dataset, version").fetchall()
    except sqlite3.Error as error:
        raise BuildFailed(f"{path}: cannot read the release history of the current release: {error}") from None
    # keys(): `in` on a sqlite3.Row looks among its values
    return [{name: row[name] if name in row.keys() else None for name in COLUMNS} for row in rows]  # noqa: SIM118


def _number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text  # Vietnamese groups thousands with dots


def _changes(previous: dict, rows: int, columns: list[str]) -> tuple[str, str]:
    """What differs from the previous version, in Vietnamese and English."""
    before = json.loads(previous["columns"] or "[]")
    added = [c for c in columns if c not in before]
    removed = [c for c in before if c not in columns]
    vi, en = [], []
    if added:
        vi.append("thêm cột: " + ", ".join(added))
        en.append("columns added: " + ", ".join(added))
    if removed:
        vi.append("bỏ cột: " + ", ".join(removed))
        en.append("columns removed: " + ", ".join(removed))
    if previous["rows"] is not None and previous["rows"] != rows:
        vi.append(f"số dòng {_number(previous['rows'], 'vi')} → {_number(rows, 'vi')}")
        en.append(f"rows {_number(previous['rows'], 'en')} → {_number(rows, 'en')}")
    if not vi:
        vi.append("giá trị thay đổi, số dòng và các cột giữ nguyên")
        en.append("values changed, same rows and columns")
    return _sentence("; ".join(vi)), _sentence("; ".join(en))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize() would lower-case the column names


def _summary(last: dict | None, rows: int, columns: list[str]) -> tuple[str, str, str]:
    """The kind of change and its summary in Vietnamese and English."""
    if last is None:
        return FIRST, f"Công bố lần đầu ({_number(rows, 'vi')} dòng)", f"First publication ({_number(rows, 'en')} rows)"
    if last["change"] == WITHDRAWN:
        return (
            REPUBLISHED,
            f"Công bố lại ({_number(rows, 'vi')} dòng)",
            f"Published again ({_number(rows, 'en')} rows)",
        )
    return (CHANGED, *_changes(last, rows, columns))


def record(history: list[dict], tables: list, release: str, published_at: dt.datetime) -> list[dict]:
    """The new entries: one for each published table whose content changed, and one for each withdrawn.

    `tables` are the PublishedTable items that go into the same database file as `history`.
    """
    last: dict[str, dict] = {}
    for entry in history:
        if entry["dataset"] not in last or entry["version"] > last[entry["dataset"]]["version"]:
            last[entry["dataset"]] = entry
    when = published_at.astimezone(VIETNAM).isoformat(timespec="seconds")
    added = []
    for item in tables:
        dataset, table = item.entry.id, item.table
        digest = content_hash(table)
        previous = last.get(dataset)
        if previous and previous["change"] != WITHDRAWN and previous["content_hash"] == digest:
            continue
        columns = list(table.frame.columns)
        change, summary_vi, summary_en = _summary(previous, len(table.frame), columns)
        added.append(
            {
                "dataset": dataset,
                "version": previous["version"] + 1 if previous else 1,
                "release": release,
                "published_at": when,
                "change": change,
                "title_vi": item.entry.title.vi,
                "title_en": item.entry.title.en,
                "rows": len(table.frame),
                "columns": json.dumps(columns, ensure_ascii=False),
                "summary_vi": summary_vi,
                "summary_en": summary_en,
                "content_hash": digest,
            }
        )
    published = {item.entry.id for item in tables}
    for dataset, previous in sorted(last.items()):
        if dataset not in published and previous["change"] != WITHDRAWN:
            added.append(
                dict(
                    previous,
                    version=previous["version"] + 1,
                    release=release,
                    published_at=when,
                    change=WITHDRAWN,
                    rows=None,
                    columns=None,
                    content_hash=None,
                    summary_vi="Ngừng công bố",
                    summary_en="Withdrawn",
                )
            )
    return added


def history_table(history: list[dict]) -> TableToLoad:
    """The history as a loadable table."""
    frame = pd.DataFrame(history, columns=list(COLUMNS))
    frame["version"] = frame["version"].astype("Int64")
    frame["rows"] = frame["rows"].astype("Int64")
    return TableToLoad(
        name=TABLE,
        frame=frame,
        types=TYPES,
        primary_key=["dataset", "version"],
        indexes=[["release"], ["published_at"], ["change"]],
    )


def history_metadata() -> dict:
    """Datasette metadata of the history table."""
    return {
        "title": "Lịch sử phát hành · Release history",
        "description_html": (
            '<p lang="vi">Mỗi dòng là một phiên bản của một tập dữ liệu: đợt phát hành đã công bố nó, thời điểm, số '
            "dòng và nội dung thay đổi so với phiên bản trước. Cũng có dạng nguồn tin Atom: /releases.atom.</p>"
            '<p lang="en">One row per version of a dataset: the release that published it, when, its rows and what '
            "changed since the previous version. Also as an Atom feed: /releases.atom.</p>"
        ),
        "columns": {name: f"{vi} · {en}" for name, (vi, en) in COLUMNS.items()},
        "facets": ["dataset", "change"],
        "sortable_columns": ["dataset", "version", "release", "published_at", "rows"],
        "sort_desc": "published_at",
    }
