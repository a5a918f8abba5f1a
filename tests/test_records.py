"""Record tables through the real build: keyed order and sample, k over every column, pseudonyms linked as declared."""

from __future__ import annotations

import calendar
import sqlite3
import zlib
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity
from scipy.stats import spearmanr

import scripts.build.pipeline
from scripts.build.anonymise.keys import KEY_FILE_VARIABLE, KEY_VARIABLE, BuildSecrets, generate_key
from scripts.build.anonymise.pseudonym import pseudonymise
from scripts.build.pipeline import build
from scripts.build.steps import BuildFailed
from tests.records_data import (
    APPLICATIONS_SPEC,
    COMMUNES,
    RESIDENTS_SPEC,
    add_dataset,
    add_source,
    applications_csv,
    people,
    residents_csv,
)

KEY = generate_key()

SAMPLE_BY_COMMUNE = """\
derive:
  kind: records
  source: residents
  sample_fraction: 0.5
  quasi_identifiers:
    - {column: sex, levels: [identity]}
    - {column: commune_code, levels: [identity]}
  k: 5
"""

PUBLIC_SAMPLE = """\
derive:
  kind: records
  source: residents
  sample_fraction: 0.2
  quasi_identifiers:
    - {column: birth_date, name: age_band, levels: [age_band_10y, age_band_20y]}
    - {column: sex, levels: [identity]}
    - {column: commune_code, name: area, levels: [identity, whole_province]}
  sensitive: [ethnicity]
  k: 10
  l: 3
"""

APPLICATIONS_BY_MONTH = """\
derive:
  kind: records
  source: applications
  pseudonymise:
    - {column: applicant_personal_id, name: person_key, label: {vi: "Bí danh", en: "Key"},
       description: {vi: "x", en: "x"}}
  quasi_identifiers:
    - {column: submitted_on, name: submitted_month, levels: [month]}
  keep: [channel]
  k: 5
"""

PEOPLE_KEYS = """\
derive:
  kind: records
  source: residents
  sample_fraction: SAMPLE
  pseudonymise:
    - {column: personal_id, name: person_key, label: {vi: "Bí danh", en: "Key"},
       description: {vi: "x", en: "x"}}
  quasi_identifiers:
    - {column: sex, levels: [identity]}
  k: 5
LINK"""

APPLICANT_KEYS = """\
derive:
  kind: records
  source: applications
  pseudonymise:
    - {column: applicant_personal_id, name: person_key, label: {vi: "Bí danh", en: "Key"},
       description: {vi: "x", en: "x"}}
  quasi_identifiers:
    - {column: submitted_on, name: submitted_quarter, levels: [quarter]}
  k: 5
LINK"""

EVERY_COLUMN = """\
derive:
  kind: records
  source: applications
  pseudonymise:
    - {column: applicant_personal_id, name: person_key, label: {vi: "Bí danh", en: "Key"},
       description: {vi: "x", en: "x"}}
  quasi_identifiers:
    - {column: submitted_on, name: submitted_month, levels: [month, quarter]}
    - {column: procedure_code, levels: [identity, withheld]}
  keep: [channel]
  k: 10
  max_suppression: 0.02
"""


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)


@pytest.fixture
def known_secrets(monkeypatch):
    """The build's secrets with a nonce the test knows, as an administrator holding the key could derive them."""
    made: list[BuildSecrets] = []

    def secrets_for(release: str):
        made.append(BuildSecrets(KEY.encode(), release, nonce=b"test-nonce-0001"))
        return lambda: made[-1]

    monkeypatch.setattr(scripts.build.pipeline, "secrets_for", secrets_for)
    return made


def rows(database: Path, table: str) -> pd.DataFrame:
    with sqlite3.connect(database) as db:
        return pd.read_sql(f"select rowid, * from {table} order by rowid", db)


def test_the_sample_order_tells_nothing_about_the_commune(data_dir, portal_metadata, tmp_path, key):
    persons = people(3000)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons))
    add_dataset(data_dir, "by_commune", "residents", SAMPLE_BY_COMMUNE)
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    table = rows(release / "portal.db", "by_commune")
    with sqlite3.connect(release / "portal.db") as db:
        assert db.execute("select suppressed_share from disclosure_report").fetchone() == (0.0,)
    rank = table["commune_code"].map({code: i for i, code in enumerate(sorted(COMMUNES))})
    # The extract is sorted by commune; published rows follow no such order.
    rho = spearmanr(table["rowid"], rank).statistic
    assert abs(rho) < 0.1, rho
    # The attack on a sampler seeded by the dataset id: redraw it from the population size, read each drawn
    # position's commune off the sorted extract. It now does no better than guessing.
    drawn = pd.Series(range(len(persons))).sample(frac=0.5, random_state=zlib.crc32(b"by_commune"))
    n = min(len(drawn), len(table))
    hits = ([persons[i].commune for i in drawn.iloc[:n]] == table["commune_code"].iloc[:n]).mean()
    assert hits < 0.4, hits  # guessing hits sum(p^2), about 0.22; against the seeded sampler this hit every row


@pytest.mark.parametrize("facets", ["", "facets: [submitted_month]\n"], ids=["keyed order", "grouped by facet"])
def test_the_order_within_a_month_tells_nothing_about_the_day(
    data_dir, portal_metadata, tmp_path, key, known_secrets, facets
):
    persons = people(3000)
    csv = applications_csv(persons)
    add_source(data_dir, "applications", APPLICATIONS_SPEC, csv)
    add_dataset(data_dir, "applications_by_month", "applications", APPLICATIONS_BY_MONTH + facets, access="restricted")
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    table = rows(release / "restricted.db", "applications_by_month")
    if facets:
        # Stored grouped by the facet (its indexes build from sorted rows); within a month, keyed order still.
        assert table["submitted_month"].is_monotonic_increasing
    source = pd.read_csv(Path(data_dir / "raw" / "applications.csv"), dtype=str, encoding="utf-8-sig")
    keys = pseudonymise(source["Số định danh người nộp"], known_secrets[-1].pseudonym("applications_by_month"))
    day = dict(zip(keys, pd.to_datetime(source["Ngày tiếp nhận"], format="%d/%m/%Y").dt.day))
    table["day"] = table["person_key"].map(day)
    assert table["day"].notna().all()
    exact = within_one = 0
    for month, group in table.groupby("submitted_month"):
        days = calendar.monthrange(*map(int, month.split("-")))[1]
        assert abs(spearmanr(group["rowid"], group["day"]).statistic) < 0.2, month
        # The attack on rows kept in date order: a row's rank within its month gives its day.
        guess = 1 + (pd.Series(range(len(group)), index=group.index) * days // len(group))
        exact += (guess == group["day"]).sum()
        within_one += ((guess - group["day"]).abs() <= 1).sum()
    assert exact / len(table) < 0.1 and within_one / len(table) < 0.25, (exact, within_one, len(table))


def test_two_releases_cannot_be_matched_row_by_row(data_dir, portal_metadata, tmp_path, key):
    persons = people(3000)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons))
    add_dataset(data_dir, "residents_sample", "residents", PUBLIC_SAMPLE)
    first, _ = build(data_dir, tmp_path / "build", portal_metadata)
    changed = next(p for p in persons if p.ethnicity == "Kinh")
    changed.ethnicity = "Tày"  # one resident's record changes in the source
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons))
    second, _ = build(data_dir, tmp_path / "build", portal_metadata)
    before, after = rows(first / "portal.db", "residents_sample"), rows(second / "portal.db", "residents_sample")
    columns = ["age_band", "sex", "area", "ethnicity"]
    aligned = before.merge(after, on="rowid", suffixes=("_1", "_2"))
    same = sum((aligned[f"{c}_1"] == aligned[f"{c}_2"]) for c in columns) == len(columns)
    # Row by row the releases agree no more than two unrelated draws would (not all rows but one).
    assert same.mean() < 0.3, same.mean()
    # A fresh sample: the published rows differ as multisets too, far beyond the one record that changed.
    counts = [t.groupby(columns).size() for t in (before, after)]
    moved = counts[0].sub(counts[1], fill_value=0).abs().sum()
    assert moved > 50, moved


def test_the_sample_is_drawn_by_person_whatever_the_file_order(data_dir, portal_metadata, tmp_path, key, known_secrets):
    persons = people(2000)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons))
    add_dataset(
        data_dir, "drawn", "residents", PEOPLE_KEYS.replace("SAMPLE", "0.3").replace("LINK", ""), access="restricted"
    )
    first, _ = build(data_dir, tmp_path / "first", portal_metadata)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons[::-1]))
    second, _ = build(data_dir, tmp_path / "second", portal_metadata)
    drawn = [set(rows(r / "restricted.db", "drawn")["person_key"]) for r in (first, second)]
    assert drawn[0] == drawn[1]  # same secrets, same persons: the file's order plays no part
    assert abs(len(drawn[0]) - 600) < 4 * (2000 * 0.3 * 0.7) ** 0.5


def test_k_counts_every_published_column(data_dir, portal_metadata, tmp_path, key):
    persons = people(3000)
    add_source(data_dir, "applications", APPLICATIONS_SPEC, applications_csv(persons))
    add_dataset(data_dir, "every_column", "applications", EVERY_COLUMN, access="restricted")
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    table = rows(release / "restricted.db", "every_column")
    published = ["submitted_month", "procedure_code", "channel"]
    assert table.groupby(published).size().min() >= 10
    assert anonymity.k_anonymity(table[published], published) >= 10
    with sqlite3.connect(release / "restricted.db") as db:
        k, generalised = db.execute("select k, columns_generalised from disclosure_report").fetchone()
    assert k >= 10 and "submitted_on" in generalised


@pytest.mark.parametrize("link, shared", [("", False), ("  link: person\n", True)])
def test_pseudonyms_join_tables_only_where_a_link_is_declared(data_dir, portal_metadata, tmp_path, key, link, shared):
    persons = people(2000)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(persons))
    add_source(data_dir, "applications", APPLICATIONS_SPEC, applications_csv(persons[:800]))
    add_dataset(
        data_dir,
        "people_keys",
        "residents",
        PEOPLE_KEYS.replace("SAMPLE", "1").replace("LINK", link),
        access="restricted",
    )
    add_dataset(data_dir, "applicant_keys", "applications", APPLICANT_KEYS.replace("LINK", link), access="restricted")
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    with sqlite3.connect(release / "restricted.db") as db:
        joined = db.execute("select count(*) from people_keys join applicant_keys using (person_key)").fetchone()[0]
        links = dict(db.execute("select dataset, pseudonym_link from disclosure_report"))
    assert joined == (800 if shared else 0)
    assert links == (
        {"people_keys": "person", "applicant_keys": "person"}
        if shared
        else {"people_keys": None, "applicant_keys": None}
    )


def test_pseudonyms_change_at_every_release(data_dir, portal_metadata, tmp_path, key):
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(people(500)))
    add_dataset(
        data_dir,
        "people_keys",
        "residents",
        PEOPLE_KEYS.replace("SAMPLE", "1").replace("LINK", ""),
        access="restricted",
    )
    releases = [build(data_dir, tmp_path / "build", portal_metadata)[0] for _ in range(2)]
    keys = [set(rows(r / "restricted.db", "people_keys")["person_key"]) for r in releases]
    assert len(keys[0]) == 500 and keys[0].isdisjoint(keys[1])


@pytest.mark.parametrize(
    "variant",
    [" DEVELOPMENT-ONLY-not-secret-sample-build-key-0001", '"development-only-not-secret-sample-build-key-0001"'],
)
def test_the_development_key_in_any_spelling_is_refused_for_real_data(
    data_dir, portal_metadata, tmp_path, monkeypatch, variant
):
    monkeypatch.setenv(KEY_VARIABLE, variant)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(people(200)))
    add_dataset(data_dir, "drawn", "residents", PUBLIC_SAMPLE.replace("0.2", "1"), synthetic=False)
    with pytest.raises(BuildFailed, match="development key may only pseudonymise synthetic"):
        build(data_dir, tmp_path / "build", portal_metadata)


def test_a_link_without_pseudonyms_and_an_unknown_level_are_spec_errors(data_dir, portal_metadata, tmp_path, key):
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(people(200)))
    add_dataset(data_dir, "linked", "residents", PUBLIC_SAMPLE + "  link: person\n")
    add_dataset(data_dir, "levelled", "residents", PUBLIC_SAMPLE.replace("age_band_20y", "age_band_7y"))
    with pytest.raises(BuildFailed) as failure:
        build(data_dir, tmp_path / "build", portal_metadata)
    assert "dataset 'linked'" in str(failure.value) and "'link' shares pseudonyms" in str(failure.value)
    assert "dataset 'levelled'" in str(failure.value) and "unknown level(s) ['age_band_7y']" in str(failure.value)
