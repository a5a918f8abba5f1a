"""The disclosure report: for every published table, what was done to protect the people in it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd

from plugins.portal_site.contract import DISCLOSURE_TABLE
from scripts.build.publish.write_sqlite import TableToLoad

TABLE = DISCLOSURE_TABLE
# Bumped whenever the anonymisation code changes what a rule does, so releases say which rules made them.
RULES_VERSION = "2"


@dataclass
class DisclosureReport:
    """What anonymisation did to one published table."""

    dataset: str
    method: str  # "aggregate" or "records"
    source: str
    rows_in: int
    rows_out: int
    threshold: int | None = None
    cells: int | None = None
    cells_hidden: int | None = None
    cells_hidden_share: float | None = None
    persons_hidden_share: float | None = None
    levels_chosen: str | None = None
    perturbation: str | None = None
    k: int | None = None
    l_diversity: int | None = None
    suppressed_share: float | None = None
    columns_dropped: list[str] = field(default_factory=list)
    columns_generalised: dict[str, str] = field(default_factory=dict)
    columns_pseudonymised: list[str] = field(default_factory=list)
    pseudonym_link: str | None = None  # declared link shared with other tables; None: pseudonyms link nothing
    rules_version: str = ""


COLUMNS = {
    "dataset": ("Tập dữ liệu", "Dataset (table) the row describes"),
    "release": ("Phiên bản", "Release number"),
    "method": ("Phương pháp", "aggregate: counts with cell suppression; records: k-anonymous records"),
    "source": ("Nguồn", "Person-level source it was derived from"),
    "rows_in": ("Số bản ghi nguồn", "Source records read"),
    "rows_out": ("Số dòng công bố", "Rows published"),
    "threshold": ("Ngưỡng ô nhỏ", "Cells below this count are suppressed"),
    "cells": ("Số ô", "Cells published, margins included"),
    "cells_hidden": (
        "Số ô bị ẩn",
        "Cells hidden: small ones and those hidden so that no hidden cell can be worked "
        "out from anything published (one total: telling the two kinds apart would narrow them)",
    ),
    "cells_hidden_share": ("Tỷ lệ ô bị ẩn", "Share of the non-empty cells (totals excluded) that are hidden"),
    "persons_hidden_share": ("Tỷ lệ người bị ẩn", "Share of the persons counted that fall in hidden cells"),
    "levels_chosen": ("Mức chi tiết được chọn", "Level of each dimension and why it was chosen"),
    "perturbation": (
        "Nhiễu ngẫu nhiên",
        "Cell key method parameters when published counts carry small noise (JSON); empty when counts are exact",
    ),
    "k": ("k đạt được", "Smallest group of records sharing the same quasi-identifiers"),
    "l_diversity": ("l đạt được", "Fewest distinct sensitive values in any such group"),
    "suppressed_share": ("Tỷ lệ bản ghi bị loại", "Share of records removed to reach k and l"),
    "columns_dropped": ("Cột bị loại bỏ", "Source columns not published (JSON list)"),
    "columns_generalised": ("Cột được khái quát hóa", "Generalisation applied per column (JSON object)"),
    "columns_pseudonymised": ("Cột được mã hóa bí danh", "Columns replaced by keyed pseudonyms (JSON list)"),
    "pseudonym_link": (
        "Liên kết bí danh",
        "Declared link: tables with the same link share pseudonyms and can be "
        "joined per person; empty: pseudonyms hold in this table and release only",
    ),
    "rules_version": ("Phiên bản quy tắc", "Version of the rule set: code version and spec digest"),
}


def report_table(reports: list[DisclosureReport], release: str) -> TableToLoad:
    """The reports of one database as a loadable table."""
    rows = []
    for report in reports:
        row = asdict(report) | {"release": release}
        for name in ("columns_dropped", "columns_generalised", "columns_pseudonymised"):
            row[name] = json.dumps(row[name], ensure_ascii=False)
        rows.append(row)
    types = (
        {name: str for name in COLUMNS}
        | {name: int for name in ("rows_in", "rows_out", "threshold", "cells", "cells_hidden", "k", "l_diversity")}
        | {name: float for name in ("suppressed_share", "cells_hidden_share", "persons_hidden_share")}
    )
    return TableToLoad(
        name=TABLE,
        frame=pd.DataFrame(rows, columns=list(COLUMNS)),
        types=types,
        primary_key=["dataset"],
        indexes=[["method"], ["source"]],
    )


def report_metadata() -> dict:
    return {
        "title": "Báo cáo kiểm soát công bố · Disclosure report",
        "description_html": (
            '<p lang="vi">Với mỗi bảng được tổng hợp từ dữ liệu cá nhân: số bản ghi nguồn, số dòng công bố, số ô bị ẩn '
            "(sơ cấp và thứ cấp), k và l đạt được, các cột bị loại bỏ, khái quát hóa hoặc mã hóa bí danh.</p>"
            '<p lang="en">For every table derived from personal data: records in, rows out, cells suppressed '
            "(primary and secondary), k and l achieved, and the columns dropped, generalised or pseudonymised.</p>"
        ),
        "columns": {name: f"{vi} · {en}" for name, (vi, en) in COLUMNS.items()},
        "facets": ["method", "source"],
        "sortable_columns": [
            "dataset",
            "rows_in",
            "rows_out",
            "cells_hidden",
            "cells_hidden_share",
            "persons_hidden_share",
        ],
        "sort": "dataset",
    }
