"""Two releases whose sources differ by one application, compared table by table as an attacker would.

The real build runs twice on a small applications extract; the second extract has one application more. A
reader who diffs the two releases must learn neither the added applicant's channel, quarter, status or VNeID
login, nor any value hidden in either release.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scripts.build.anonymise.cube import TOTAL
from scripts.build.pipeline import build
from tests.conftest import MANIFEST_HEAD, manifest_entry, write

# Small cells on purpose: they are what flips between releases.
MANIFEST = MANIFEST_HEAD.replace("datasets:", "disclosure: {when_targets_unmet: publish_best}\ndatasets:")

SOURCE = """\
primary_key: [dossier]
columns:
  - {name: dossier, header: "Mã hồ sơ", type: text, required: true, role: direct_identifier,
     label: {vi: "Mã hồ sơ", en: "Dossier"}, description: {vi: "x", en: "x"}}
  - {name: applicant, header: "Số định danh", type: code, width: 12, required: true, role: direct_identifier,
     label: {vi: "Số định danh", en: "ID"}, description: {vi: "x", en: "x"}}
  - {name: channel, header: "Kênh", type: text, required: true, role: quasi_identifier,
     label: {vi: "Kênh", en: "Channel"}, description: {vi: "x", en: "x"}}
  - {name: submitted_on, header: "Ngày tiếp nhận", type: date, required: true, role: quasi_identifier,
     label: {vi: "Ngày", en: "Date"}, description: {vi: "x", en: "x"}}
  - {name: status, header: "Trạng thái", type: text, required: true, role: quasi_identifier,
     label: {vi: "Trạng thái", en: "Status"}, description: {vi: "x", en: "x"}}
  - {name: procedure, header: "Thủ tục", type: text, required: true, role: quasi_identifier,
     label: {vi: "Thủ tục", en: "Procedure"}, description: {vi: "x", en: "x"}}
"""

COUNT = 'count: {name: applications, label: {vi: "Số hồ sơ", en: "Applications"}, description: {vi: "x", en: "x"}}'
CHANNELS = ["Trực tiếp", "Cổng tỉnh", "Cổng quốc gia", "Bưu chính"]
STATUSES = ["Đúng hạn", "Trễ hạn"]
PROCEDURES = [f"P{i:02d}" for i in range(12)]

BY_CHANNEL = f"""\
derive:
  kind: aggregate
  source: applications
  dimensions:
    - {{column: channel, categories: {CHANNELS}}}
    - {{column: submitted_on, generalise: quarter, name: quarter}}
    - {{column: status, categories: {STATUSES}}}
  {COUNT}
  perturbation: {{method: cell_key, max: 2, variance: 1.0, identifier: applicant}}
"""

BY_PROCEDURE = f"""\
derive:
  kind: aggregate
  source: applications
  dimensions:
    - {{column: procedure, categories: {PROCEDURES}}}
    - {{column: submitted_on, generalise: year, name: year}}
    - {{column: status, categories: {STATUSES}}}
  {COUNT}
"""


def applications(rows: int = 1500, seed: int = 5) -> pd.DataFrame:
    """Applications whose rare channel and status make small cells; with this seed, one added application turns
    a hidden cell of the procedure table into a shown one unless the build keeps the previous release's pattern."""
    rng = np.random.default_rng(seed)
    days = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 540, rows), unit="D")
    return pd.DataFrame(
        {
            "Mã hồ sơ": [f"HS-{i:05d}" for i in range(rows)],
            "Số định danh": [f"0220{80 + i % 20:02d}{i:06d}" for i in range(rows)],
            "Kênh": rng.choice(CHANNELS, rows, p=[0.5, 0.3, 0.17, 0.03]),
            "Ngày tiếp nhận": days.strftime("%d/%m/%Y"),
            "Trạng thái": rng.choice(STATUSES, rows, p=[0.93, 0.07]),
            "Thủ tục": rng.choice(PROCEDURES, rows, p=np.r_[np.full(6, 0.7 / 6), np.full(6, 0.3 / 6)]),
        }
    )


def write_data(root: Path, frame: pd.DataFrame) -> Path:
    data = root / "data"
    write(
        data / "manifest.yml",
        MANIFEST + "".join(manifest_entry(i, "applications") for i in ("by_channel", "by_procedure")),
    )
    write(data / "specs" / "applications.yml", SOURCE)
    write(data / "specs" / "by_channel.yml", BY_CHANNEL)
    write(data / "specs" / "by_procedure.yml", BY_PROCEDURE)
    (data / "raw").mkdir(parents=True, exist_ok=True)
    frame.to_csv(data / "raw" / "applications.csv", index=False, encoding="utf-8-sig")
    return data


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple[Path, Path, dict]:
    """Release 1 from the extract, release 2 from the same extract with one application added."""
    from scripts.build.anonymise.keys import DEVELOPMENT_KEY, KEY_VARIABLE

    root = tmp_path_factory.mktemp("differencing")
    base = applications()
    added = {
        "Mã hồ sơ": "HS-99999",
        "Số định danh": "022090999999",
        "Kênh": "Bưu chính",
        "Ngày tiếp nhận": "15/05/2024",
        "Trạng thái": "Trễ hạn",
        "Thủ tục": "P11",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_VARIABLE, DEVELOPMENT_KEY.decode())
        metadata = write(root / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
        first, _ = build(write_data(root, base), root / "build", metadata)
        second, _ = build(
            write_data(root, pd.concat([base, pd.DataFrame([added])], ignore_index=True)), root / "build", metadata
        )
    return first, second, added


def table(release: Path, name: str) -> pd.DataFrame:
    with sqlite3.connect(release / "portal.db") as db:
        return pd.read_sql(f"select * from [{name}]", db, dtype={"suppression": str})


def test_a_cell_hidden_in_one_release_is_hidden_in_the_next(two_releases):
    first, second, _ = two_releases
    for name in ("by_channel", "by_procedure"):
        before, after = table(first, name), table(second, name)
        dims = [c for c in before.columns if c not in ("applications", "suppression")]
        merged = before.merge(after, on=dims, suffixes=("_1", "_2"))
        flipped = merged[merged["applications_1"].isna() & merged["applications_2"].notna()]
        assert flipped.empty, f"{name}: hidden in release 1, shown in release 2:\n{flipped.to_string()}"


def test_diffing_two_releases_does_not_single_out_the_added_application(two_releases):
    first, second, added = two_releases
    before, after = table(first, "by_channel"), table(second, "by_channel")
    dims = ["channel", "quarter", "status"]
    merged = before.merge(after, on=dims, suffixes=("_1", "_2")).dropna(subset=["applications_1", "applications_2"])
    changed = merged["applications_1"] != merged["applications_2"]
    # Fresh noise in every release: most shown cells change, not just the few the application went into.
    theirs = (
        (merged["channel"].isin([added["Kênh"], TOTAL]))
        & (merged["quarter"].isin(["2024-Q2", TOTAL]))
        & (merged["status"].isin([added["Trạng thái"], TOTAL]))
    )
    assert len(merged) >= 20 and changed[~theirs].mean() > 0.3, merged.to_string()
    # The one-way margins of the channel do not move by exactly one for the added channel alone.
    margins = merged[(merged["quarter"] == TOTAL) & (merged["status"] == TOTAL) & (merged["channel"] != TOTAL)]
    moved = margins.set_index("channel").eval("applications_2 - applications_1")
    assert not ((moved.get(added["Kênh"], 1) == 1) and (moved.drop(added["Kênh"], errors="ignore") == 0).all())


def test_the_disclosure_report_names_the_perturbation(two_releases):
    _, second, _ = two_releases
    with sqlite3.connect(second / "portal.db") as db:
        found = dict(db.execute("select dataset, perturbation from disclosure_report"))
    assert '"method":"cell_key"' in found["by_channel"].replace(" ", "") and found["by_procedure"] is None
