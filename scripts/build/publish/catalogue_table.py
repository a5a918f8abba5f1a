"""The open-data list itself, published as the `catalogue` table: one row per published dataset."""

from __future__ import annotations

import pandas as pd

from plugins.portal_site.contract import CATALOGUE_TABLE
from scripts.build.publish.write_sqlite import TableToLoad
from scripts.build.spec.manifest import DatasetEntry, Manifest

TABLE = CATALOGUE_TABLE
COLUMNS = {
    "id": ("Mã tập dữ liệu", "Dataset id (also its table name)"),
    "title_vi": ("Tên tập dữ liệu", "Title in Vietnamese"),
    "title_en": ("Tên tiếng Anh", "Title in English"),
    "description_vi": ("Mô tả", "Description in Vietnamese"),
    "description_en": ("Mô tả tiếng Anh", "Description in English"),
    "publisher": ("Đơn vị công bố", "Publishing department"),
    "publisher_en": ("Đơn vị công bố (tiếng Anh)", "Publishing department in English"),
    "theme": ("Chủ đề", "Theme"),
    "theme_en": ("Chủ đề (tiếng Anh)", "Theme in English"),
    "keywords": ("Từ khóa", "Keywords, separated by semicolons"),
    "licence": ("Giấy phép", "Licence"),
    "update_frequency": ("Tần suất cập nhật", "Update frequency"),
    "access": ("Mức truy cập", "Access tier"),
    "approval_decision": ("Số quyết định phê duyệt", "Approval decision number"),
    "approval_date": ("Ngày phê duyệt", "Approval date"),
    "approver": ("Người phê duyệt", "Approver"),
    "synthetic": ("Dữ liệu mẫu", "1 when the data is a synthetic sample, not official figures"),
    "row_count": ("Số dòng", "Rows published in this release"),
    "table_url": ("Đường dẫn", "Path of the table in the portal"),
    "publisher_id": ("Mã đơn vị công bố", "Publisher id in the manifest"),
    "theme_id": ("Mã chủ đề", "Theme id in the manifest (data/themes.yml maps it to EU and national themes)"),
    "temporal_start": ("Thời gian từ", "First day the data covers (ISO 8601), empty when not known"),
    "temporal_end": ("Thời gian đến", "Last day the data covers (ISO 8601), empty when not known"),
}
TYPES = {name: str for name in COLUMNS} | {"synthetic": int, "row_count": int}


def catalogue_row(
    entry: DatasetEntry, manifest: Manifest, rows: int, database: str, coverage: tuple[str, str] = ("", "")
) -> dict:
    """One catalogue row for a dataset that is published in this release; `coverage` is its period (first and
    last day, scripts/build/publish/temporal.py)."""
    publisher, theme = manifest.publisher(entry), manifest.theme(entry)
    return {
        "id": entry.id,
        "title_vi": entry.title.vi,
        "title_en": entry.title.en,
        "description_vi": entry.description.vi,
        "description_en": entry.description.en,
        "publisher": publisher.vi,
        "publisher_en": publisher.en,
        "theme": theme.vi,
        "theme_en": theme.en,
        "keywords": "; ".join(entry.keywords),
        "licence": entry.licence,
        "update_frequency": entry.update_frequency,
        "access": entry.access,
        "approval_decision": entry.approval.decision,
        "approval_date": entry.approval.date.isoformat(),
        "approver": entry.approval.approver,
        "synthetic": int(entry.synthetic),
        "row_count": rows,
        "table_url": f"/{database}/{entry.id}",
        "publisher_id": entry.publisher,
        "theme_id": entry.theme,
        "temporal_start": coverage[0],
        "temporal_end": coverage[1],
    }


def catalogue_table(rows: list[dict]) -> TableToLoad:
    """The catalogue as a loadable table, searchable by title and description."""
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return TableToLoad(
        name=TABLE,
        frame=frame,
        types=TYPES,
        primary_key=["id"],
        indexes=[["publisher"], ["theme"], ["update_frequency"]],
        fts=["title_vi", "title_en", "description_vi", "description_en", "keywords"],
    )


def catalogue_metadata(manifest: Manifest) -> dict:
    """Datasette metadata of the catalogue table, naming the decision that issued the list."""
    decision = manifest.portal_list
    return {
        "title": "Danh mục dữ liệu mở · Open-data catalogue",
        "description_html": (
            f'<p lang="vi">Danh mục dữ liệu mở của tỉnh, ban hành theo Quyết định {decision.decision} ngày '
            f"{decision.date.strftime('%d/%m/%Y')} của {decision.approver}; mỗi dòng là một tập dữ liệu "
            "đang được công bố trên cổng.</p>"
            '<p lang="en">The province\'s open-data list, issued by decision '
            f"{decision.decision} of {decision.date.isoformat()}; one row per dataset published on the portal.</p>"
        ),
        "columns": {name: f"{vi} · {en}" for name, (vi, en) in COLUMNS.items()},
        "facets": ["theme", "publisher", "update_frequency"],
        "sortable_columns": ["id", "title_vi", "approval_date", "row_count"],
        "sort": "id",
        "fts_table": f"{TABLE}_fts",
        "fts_pk": "rowid",
    }
