"""Count tables through the real build: levels chosen by the utility targets, allow-listed categories, and the
errors an admin gets for a spec the build cannot honour (file, entry, what to change; nothing published)."""

from __future__ import annotations

import sqlite3

import pytest

from scripts.build.pipeline import build
from scripts.build.steps import BuildFailed
from tests.conftest import write
from tests.test_disclosure_build import add_dataset, people_csv

pytest_plugins = ["tests.test_disclosure_build"]

LADDER = """\
derive:
  kind: aggregate
  source: people
  dimensions:
    - column: commune_code
      categories: ["06658", "06661", "06664"]
      coarser:
        - {generalise: whole_province, name: area}
    - column: birth_date
      generalise: age_band_5y
      name: age_band
      coarser:
        - {generalise: age_band_20y}
  count: {name: residents, label: {vi: "Số dân", en: "Residents"}, description: {vi: "x", en: "x"}}
  threshold: 10
facets: [age_band]
"""


def published(release, table: str) -> list[str]:
    return [r[1] for r in sqlite3.connect(release / "portal.db").execute(f"pragma table_info({table})")]


def report(release, table: str) -> tuple:
    with sqlite3.connect(release / "portal.db") as db:
        return db.execute(
            "select cells_hidden_share, persons_hidden_share, levels_chosen from disclosure_report where dataset = ?",
            [table],
        ).fetchone()


def test_the_finest_levels_meeting_the_targets_are_published(people_dir, portal_metadata, tmp_path):
    # 240 people over 3 communes: 5-year bands by commune hide far more than 5% of cells; 20-year bands do not.
    add_dataset(people_dir, "people_by_age", LADDER)
    release, outcome = build(people_dir, tmp_path / "build", portal_metadata)
    # By commune and 5-year band is too fine; the province by 5-year band spans more cells than communes by
    # 20-year band, so it is tried first, and it meets the targets.
    assert published(release, "people_by_age") == ["area", "age_band", "residents", "suppression"]
    cells, persons, why = report(release, "people_by_age")
    assert cells <= 0.05 and persons <= 0.01
    vi, en = why.split(" · ")
    assert vi.startswith("area (toàn tỉnh), age_band (nhóm tuổi 5 năm): mức chi tiết nhất trong 4 tổ hợp")
    assert en.startswith("area (whole_province), age_band (age_band_5y): the finest of 4 combinations")
    assert "Finer levels rejected: commune_code: as delivered, age_band: age_band_5y" in why
    assert any(line.startswith("disclosure people_by_age: area") for line in outcome.disclosure)


def test_a_ladder_that_cannot_meet_the_targets_fails_naming_the_table(people_dir, portal_metadata, tmp_path):
    spec = LADDER.replace("      coarser:\n        - {generalise: age_band_20y}\n", "").replace(
        "      coarser:\n        - {generalise: whole_province, name: area}\n", ""
    )
    add_dataset(people_dir, "people_by_age", spec)
    with pytest.raises(BuildFailed) as failure:
        build(people_dir, tmp_path / "build", portal_metadata)
    message = str(failure.value)
    assert "dataset 'people_by_age': specs/people_by_age.yml: no combination of the dimensions' levels" in message
    assert "add coarser levels" in message and "Traceback" not in message
    assert not (tmp_path / "build" / "current").exists()


def test_a_value_outside_the_categories_fails_without_being_shown(people_dir, portal_metadata, tmp_path):
    csv = people_csv().replace(",Nam,06658,", ",Nam (Trần Văn Bình),06658,", 1)
    write(people_dir / "raw" / "people.csv", csv)
    spec = LADDER.replace(
        "    - column: birth_date", "    - column: sex\n      categories: [Nam, Nữ]\n    - column: birth_date"
    )
    add_dataset(people_dir, "people_by_age", spec)
    with pytest.raises(BuildFailed) as failure:
        build(people_dir, tmp_path / "build", portal_metadata)
    message = str(failure.value)
    assert "dimensions[1] ('sex'): 1 source rows hold values that are not among its declared categories" in message
    assert "Trần" not in message and "Bình" not in message


def test_groups_that_miss_a_category_fail_naming_the_dimension(people_dir, portal_metadata, tmp_path):
    spec = LADDER.replace(
        "        - {generalise: whole_province, name: area}",
        '        - {groups: {"Bắc": ["06658", "06661"]}, name: area}',
    )
    add_dataset(people_dir, "people_by_age", spec)
    with pytest.raises(
        BuildFailed,
        match=r"dimensions\[0\] \('commune_code'\) at level 'area': the groups miss 1 "
        r"categories, e\.g\. \['06664'\]; add them to a group",
    ):
        build(people_dir, tmp_path / "build", portal_metadata)


@pytest.mark.parametrize(
    "mistake, expected",
    [
        ("generalise: age_band_5y", "generalise: age_band_5yy"),
        ('categories: ["06658", "06661", "06664"]', "categories: null"),
    ],
)
def test_spec_mistakes_are_reported_with_the_entry_and_the_allowed_values(
    people_dir, portal_metadata, tmp_path, mistake, expected
):
    add_dataset(people_dir, "people_by_age", LADDER.replace(mistake, expected))
    with pytest.raises(BuildFailed) as failure:
        build(people_dir, tmp_path / "build", portal_metadata)
    message = str(failure.value)
    assert "dataset 'people_by_age': " in message and "specs/people_by_age.yml:" in message
    assert "field 'derive.dimensions." in message
    assert ("known: age_band_10y, age_band_20y, age_band_5y" in message) or ("list the categories" in message)
