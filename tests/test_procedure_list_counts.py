"""A procedure list delivered with each procedure's application count for 2024 prints margins the protected
procedure table may hide. Published as delivered, the list lets a reader recover hidden cells; declared as
`protected_counts`, it shows each count only where the protected table does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scripts.build.pipeline import build
from tests.conftest import MANIFEST_HEAD, manifest_entry, write
from tests.joint_attack import disclosed
from tests.test_joint_attack import attack_release

# By procedure on purpose: its small cells are what the list prints.
MANIFEST = MANIFEST_HEAD.replace("datasets:", "disclosure: {when_targets_unmet: publish_best}\ndatasets:")
APPLICATIONS = """\
primary_key: [dossier]
columns:
  - {name: dossier, header: "Mã hồ sơ", type: text, required: true, role: direct_identifier,
     label: {vi: "Mã hồ sơ", en: "Dossier"}, description: {vi: "x", en: "x"}}
  - {name: procedure_code, header: "Mã thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Mã thủ tục", en: "Procedure"}, description: {vi: "x", en: "x"}}
  - {name: submitted_on, header: "Ngày tiếp nhận", type: date, required: true, role: quasi_identifier,
     label: {vi: "Ngày", en: "Date"}, description: {vi: "x", en: "x"}}
  - {name: status, header: "Trạng thái", type: text, required: true, role: quasi_identifier,
     label: {vi: "Trạng thái", en: "Status"}, description: {vi: "x", en: "x"}}
"""
BY_YEAR = """\
derive:
  kind: aggregate
  source: applications
  dimensions:
    - {column: procedure_code, categories_from: {dataset: online_procedures, column: procedure_code}}
    - {column: submitted_on, generalise: year, name: year}
    - {column: status, categories: ["Đúng hạn", "Trễ hạn"]}
  count: {name: applications, label: {vi: "Số hồ sơ", en: "Applications"}, description: {vi: "x", en: "x"}}
"""
PROCEDURES = """\
primary_key: [procedure_code]
columns:
  - {name: procedure_code, header: "Mã thủ tục", type: text, required: true, role: attribute,
     label: {vi: "Mã thủ tục", en: "Procedure"}, description: {vi: "x", en: "x"}}
  - {name: applications_h1_2024, header: "Số hồ sơ 2024", type: integer, required: true, role: attribute,
     label: {vi: "Hồ sơ 2024", en: "Applications 2024"}, description: {vi: "x", en: "x"}}
"""
TIED = """\
protected_counts:
  - column: applications_h1_2024
    equals: {dataset: online_applications_by_procedure_year, match: {procedure_code: procedure_code},
             cell: {year: "2024"}}
"""


def applications(rows: int = 2500, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    procedures = [f"1.{i:06d}" for i in range(30)]
    weights = rng.dirichlet(np.full(len(procedures), 0.8))
    days = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 540, rows), unit="D")
    return pd.DataFrame(
        {
            "Mã hồ sơ": [f"HS-{i:05d}" for i in range(rows)],
            "Mã thủ tục": rng.choice(procedures, rows, p=weights),
            "Ngày tiếp nhận": days.strftime("%d/%m/%Y"),
            "Trạng thái": rng.choice(["Đúng hạn", "Trễ hạn"], rows, p=[0.92, 0.08]),
        }
    )


def release(root: Path, tied: bool) -> Path:
    data = root / "data"
    frame = applications()
    in_2024 = frame[frame["Ngày tiếp nhận"].str.endswith("2024")]
    listed = in_2024.groupby("Mã thủ tục").size().reindex(frame["Mã thủ tục"].unique(), fill_value=0)
    write(
        data / "manifest.yml",
        MANIFEST
        + manifest_entry("online_procedures", "procedures")
        + manifest_entry("online_applications_by_procedure_year", "applications"),
    )
    write(data / "specs" / "applications.yml", APPLICATIONS)
    write(data / "specs" / "online_applications_by_procedure_year.yml", BY_YEAR)
    write(data / "specs" / "online_procedures.yml", PROCEDURES + (TIED if tied else ""))
    (data / "raw").mkdir(parents=True, exist_ok=True)
    frame.to_csv(data / "raw" / "applications.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame({"Mã thủ tục": listed.index, "Số hồ sơ 2024": listed.to_numpy()}).to_csv(
        data / "raw" / "procedures.csv", index=False, encoding="utf-8-sig"
    )
    published, _ = build(data, root / "build", write(root / "metadata.yml", "title: Cổng\nlicense: CC BY 4.0\n"))
    return published


@pytest.mark.slow
def test_the_procedure_list_gives_away_hidden_cells_unless_its_counts_are_tied_to_the_protected_table(tmp_path):
    before = disclosed(attack_release(release(tmp_path / "as_delivered", tied=False) / "portal.db"))
    after = disclosed(attack_release(release(tmp_path / "tied", tied=True) / "portal.db"))
    assert not before.empty and set(before["table"]) == {"online_applications_by_procedure_year"}
    assert after.empty, after.to_string()
