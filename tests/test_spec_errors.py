"""A mistake of any kind in a spec fails the real build with lines naming the spec file, the line, the entry and
what may be written instead; no traceback, and the release being served stays as it was.

Each case corrupts a copy of one of the portal's own specs (data/specs/) in one way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.build.anonymise.keys import DEVELOPMENT_KEY, KEY_FILE_VARIABLE, KEY_VARIABLE
from scripts.build.pipeline import main
from tests.conftest import CSV, MANIFEST, SPEC, manifest_entry, write
from tests.records_data import COMMUNES, RESIDENTS_SPEC, add_source, people, residents_csv
from tests.test_source_files import fingerprint

SPECS = Path(__file__).resolve().parent.parent / "data" / "specs"
AGGREGATE, RECORDS, COMMUNE_LIST = "residents_by_commune_sex_age", "residents_sample", "communes"
GENERALISERS = "known: age_band_10y, age_band_20y, age_band_5y, birth_year, identity, month, quarter, whole_province"
PUBLISHED = "commune_code, sex, age_band, residents, suppression"
CHART = (
    "facets: [unit_type]\ncharts:\n  - type: bars\n    title: {vi: Diện tích, en: Area}\n    x: %s\n    y: area_kmm\n"
)
ALLOW = "facets: [sex, age_band]\ngate_allow:\n  - {column: %s, pattern: '%s', %s: \"category labels\"}"

# kind: (spec, text of the real spec, what it becomes, the text on the line named (None: no line), allowed values)
CASES = {
    "generaliser": (AGGREGATE, "generalise: age_band_5y\n", "generalise: age_band_5yy\n", "age_band_5yy", GENERALISERS),
    "coarser generaliser": (
        AGGREGATE,
        "- generalise: age_band_10y",
        "- generalise: age_band_10yy",
        "age_band_10yy",
        GENERALISERS,
    ),
    "coarser level": (
        AGGREGATE,
        "- generalise: age_band_20y",
        "- name: band_20y",
        "name: band_20y",
        "exactly one of 'generalise', 'groups' or 'groups_from'",
    ),
    "record level": (
        RECORDS,
        "levels: [identity, whole_province]",
        "levels: [identity, whole_provinces]",
        "whole_provinces",
        GENERALISERS + ", withheld, year",
    ),
    "gate_allow column": (
        AGGREGATE,
        "facets: [sex, age_band]",
        ALLOW % ("gender", "N.*", "reason"),
        "gender",
        f"'*' or one of {PUBLISHED}",
    ),
    "gate_allow key": (
        AGGREGATE,
        "facets: [sex, age_band]",
        ALLOW % ("sex", "N.*", "reasons"),
        "reasons",
        "allowed here: column, pattern, reason",
    ),
    "gate_allow pattern": (
        AGGREGATE,
        "facets: [sex, age_band]",
        ALLOW % ("sex", "(N", "reason"),
        "(N",
        "not a regular expression",
    ),
    "column type": (
        COMMUNE_LIST,
        "type: code\n",
        "type: cod\n",
        "type: cod\n",
        "'text', 'code', 'integer', 'number', 'date' or 'boolean'",
    ),
    "role": (
        COMMUNE_LIST,
        "role: attribute",
        "role: atribute",
        "atribute",
        "'attribute', 'direct_identifier', 'quasi_identifier', 'sensitive', 'free_text' or 'unconfirmed'",
    ),
    "derive kind": (
        AGGREGATE,
        "kind: aggregate",
        "kind: aggregates",
        "derive:",
        "expected tags: 'aggregate', 'records'",
    ),
    "aggregate option": (
        AGGREGATE,
        "threshold: 10",
        "treshold: 10",
        "treshold",
        "allowed here: kind, source, filter, dimensions, count, threshold, relations, targets",
    ),
    "threshold": (AGGREGATE, "threshold: 10", "threshold: 2", "threshold: 2", "greater than or equal to 3"),
    "dimension option": (
        AGGREGATE,
        "categories: [",
        "categorie: [",
        "categorie:",
        "allowed here: column, name, generalise, at, groups, groups_from, categories",
    ),
    "records option": (
        RECORDS,
        "max_suppression: 0.05",
        "max_supression: 0.05",
        "max_supression",
        "allowed here: kind, source, filter, quasi_identifiers, sensitive, keep, pseudonymise, k, l, max_suppression",
    ),
    "source": (
        AGGREGATE,
        "source: residents",
        "source: resident",
        "source: resident",
        "spec files: communes, residents, residents_by_commune_sex_age",
    ),
    "source column": (
        AGGREGATE,
        "- column: sex",
        "- column: gender",
        "gender",
        "its columns: personal_id, full_name, birth_date, sex, ethnicity, commune_code",
    ),
    "facet": (
        AGGREGATE,
        "facets: [sex, age_band]",
        "facets: [sex, age_bands]",
        "age_bands",
        f"published columns: {PUBLISHED}",
    ),
    "categories_from": (
        AGGREGATE,
        "column: commune_code}",
        "column: code}",
        None,
        "its columns: commune_code, commune_name, unit_type",
    ),
    "chart type": (AGGREGATE, "type: pyramid", "type: pyramids", "pyramids", "'line', 'bars', 'pyramid' or 'stacked'"),
    "chart column": (
        AGGREGATE,
        "    x: age_band\n",
        "    x: age_bands\n",
        "age_bands",
        "unknown column 'age_bands'; allowed: age_band (its ordered columns)",
    ),
    "chart column kind": (
        AGGREGATE,
        "    y: residents\n",
        "    y: sex\n",
        "y: sex",
        "column 'sex' is a category column; a pyramid chart's 'y' takes another; allowed: residents",
    ),
    "chart without series": (AGGREGATE, "    series: sex\n", "", "type: pyramid", "a pyramid chart needs 'series'"),
    "chart of a table as delivered": (
        COMMUNE_LIST,
        "facets: [unit_type]",
        CHART % "unit_type",
        "area_kmm",
        "unknown column 'area_kmm'; allowed: latitude, longitude, area_km2",
    ),
    "chart column kind as delivered": (
        COMMUNE_LIST,
        "facets: [unit_type]",
        CHART % "area_km2",
        "x: area_km2",
        "column 'area_km2' is a measure column; a bars chart's 'x' takes another",
    ),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A release built from copies of the portal's specs over small sources, and what it holds."""
    root = tmp_path_factory.mktemp("specs")
    data = root / "data"
    write(
        data / "manifest.yml",
        MANIFEST.replace("publishers:", "disclosure: {when_targets_unmet: publish_best}\npublishers:"),
    )
    write(data / "specs" / "tasks.yml", SPEC)
    write(data / "raw" / "tasks.csv", CSV)
    # The residents sample is a fresh keyed draw of 20% at every build, k-anonymous with k = 10 and l = 3: from 2,000
    # residents (some 400 drawn) about 1 build in 100 found no generalisation within its 5% suppression; from 4,000,
    # none in 250.
    add_source(data, "residents", RESIDENTS_SPEC, residents_csv(people(4000)))
    header = "Mã xã,Tên đơn vị hành chính,Loại đơn vị,Mã tỉnh,Tên tỉnh,Vĩ độ,Kinh độ,Diện tích (km²)"
    write(
        data / "raw" / "communes.csv",
        "\n".join([header] + [f"{code},Xã {i},Xã,22,Tỉnh Quảng Ninh,21.0,107.1,30" for i, code in enumerate(COMMUNES)])
        + "\n",
    )
    entries = manifest_entry(COMMUNE_LIST, "communes")
    for dataset in (COMMUNE_LIST, AGGREGATE, RECORDS):
        shutil.copy(SPECS / f"{dataset}.yml", data / "specs" / f"{dataset}.yml")
    entries += manifest_entry(AGGREGATE, "residents") + manifest_entry(RECORDS, "residents")
    (data / "manifest.yml").write_text((data / "manifest.yml").read_text(encoding="utf-8") + entries, encoding="utf-8")
    write(root / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")
    arguments = ["--data", str(data), "--build", str(root / "build"), "--metadata", str(root / "metadata.yml")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_VARIABLE, DEVELOPMENT_KEY.decode())  # the sources are synthetic
        patch.delenv(KEY_FILE_VARIABLE, raising=False)
        assert main(arguments) == 0
        yield data, arguments, fingerprint(root / "build")


@pytest.mark.parametrize("kind", CASES)
def test_a_spec_mistake_is_named_with_its_file_line_and_the_allowed_values(served, kind, capsys, monkeypatch):
    data, arguments, release = served
    monkeypatch.setenv(KEY_VARIABLE, DEVELOPMENT_KEY.decode())
    dataset, real, corrupted, on_line, allowed = CASES[kind]
    path = data / "specs" / f"{dataset}.yml"
    original = path.read_text(encoding="utf-8")
    assert real in original, f"{dataset}.yml no longer holds {real!r}: choose another corruption"
    text = original.replace(real, corrupted, 1)
    capsys.readouterr()
    try:
        path.write_text(text, encoding="utf-8")
        code = main(arguments)
    finally:
        path.write_text(original, encoding="utf-8")
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == 1 and "nothing was published" in output, output
    named = f"{path}:{text[: text.index(on_line)].count(chr(10)) + 1}: " if on_line else f"{path}: "
    assert named in output and allowed in output, output
    assert "Traceback" not in output and "unexpected" not in output, output
    assert fingerprint(data.parent / "build") == release
