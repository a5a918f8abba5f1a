"""data.json against the Project Open Data 1.1 schemas, datapackage.json and every CSV it lists with frictionless,
and the schema.org Dataset of every dataset page, on the real sample build."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from frictionless import Package
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from scripts.serve import command as serve
from tests.conftest import REPO

pytestmark = pytest.mark.slow
STANDARDS = REPO / "standards"
FEDERAL_ONLY = {"bureauCode", "programCode"}


def validator(directory: str) -> Draft4Validator:
    """The schema's catalog.json, its references resolved from the copies kept in the repository."""
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in (STANDARDS / directory).glob("*.json")]
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas
    )
    catalog = next(schema for schema in schemas if schema["id"].endswith("/catalog.json#"))
    return Draft4Validator(catalog, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


@pytest.fixture
def app(sample_release):
    return serve.app(sample_release.release)


async def test_data_json_is_valid_project_open_data(app):
    catalog = (await app.client.get("/data.json")).json()
    assert len(catalog["dataset"]) == 13
    assert list(validator("pod-1.1-non-federal").iter_errors(catalog)) == []
    # The federal schema asks only, in addition, for the US budget codes of federal agencies.
    federal = list(validator("pod-1.1").iter_errors(catalog))
    assert {(e.validator, e.message.split("'")[1]) for e in federal} == {("required", f) for f in FEDERAL_ONLY}
    assert len(federal) == 2 * len(catalog["dataset"])
    for dataset in catalog["dataset"]:
        assert re.match(r"^mailto:[^@]+@[^@]+\.\w+$", dataset["contactPoint"]["hasEmail"]), dataset["identifier"]
        assert dataset["distribution"][0]["downloadURL"].endswith(
            f"/downloads/{dataset['identifier'].split('/')[-1]}.csv"
        )
        assert dataset["theme"][0] and dataset["issued"] <= dataset["modified"]
    broken = copy.deepcopy(catalog)
    del broken["dataset"][0]["contactPoint"]
    broken["dataset"][1]["accrualPeriodicity"] = "every month"
    assert len(list(validator("pod-1.1-non-federal").iter_errors(broken))) == 2


async def test_every_resource_of_the_data_package_validates(app, tmp_path: Path):
    descriptor = (await app.client.get("/datapackage.json")).json()
    # every table as CSV, with its schema, and as XLSX
    assert [r["format"] for r in descriptor["resources"]] == ["csv", "xlsx"] * 13
    for resource in descriptor["resources"]:
        file = await app.client.get(resource["path"].replace("http://localhost", ""))
        (tmp_path / f"{resource['name']}.{resource['format']}").write_bytes(file.content)
        resource["path"] = f"{resource['name']}.{resource['format']}"
        assert resource.pop("scheme") == "http"  # what frictionless says of the URL, not of a local file
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    assert len(report.tasks) == 26 and all(task.stats["rows"] > 0 for task in report.tasks)
    [sample] = [r for r in descriptor["resources"] if r["name"] == "residents_sample"]
    assert sample["schema"]["fields"][0]["name"] == "rowid" and sample["schema"]["primaryKey"] == ["rowid"]


async def test_a_data_package_whose_csv_differs_from_its_schema_is_invalid(app, tmp_path: Path):
    descriptor = (await app.client.get("/datapackage.json")).json()
    [resource] = [r for r in descriptor["resources"] if r["name"] == "residents_sample"]
    del resource["schema"]["fields"][0]  # the schema as it was before the rowid was listed
    resource["schema"]["primaryKey"] = [resource["schema"]["fields"][0]["name"]]
    csv = await app.client.get(resource["path"].replace("http://localhost", ""))
    (tmp_path / "sample.csv").write_bytes(csv.content)
    resource["path"] = "sample.csv"
    del resource["scheme"]
    descriptor["resources"] = [resource]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    types = {kind for [kind] in report.flatten(["type"])}
    assert not report.valid and types <= {
        "incorrect-label",
        "missing-label",
        "extra-label",
        "type-error",
        "primary-key",
        "extra-cell",
        "missing-cell",
        "constraint-error",
    }, types


SCHEMA_ORG = (
    "name",
    "description",
    "url",
    "identifier",
    "keywords",
    "license",
    "creator",
    "publisher",
    "datePublished",
    "dateModified",
    "version",
    "spatialCoverage",
    "variableMeasured",
    "includedInDataCatalog",
    "distribution",
    "about",
)


async def test_schema_org_dataset_on_every_page(app):
    for row in (await app.client.get("/portal/catalogue.json?_shape=array")).json():
        page = (await app.client.get(f"/datasets/{row['id']}")).text
        [found] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        dataset = json.loads(found)
        assert dataset["@type"] == "Dataset"
        assert [key for key in SCHEMA_ORG if not dataset.get(key)] == [], row["id"]
        columns = (await app.client.get(f"/portal/{row['id']}.json?_size=1")).json()["columns"]
        assert {v["name"] for v in dataset["variableMeasured"]} == set(columns) - {"rowid"}
        assert dataset["spatialCoverage"]["sameAs"] == "https://sws.geonames.org/1568758/"
        if row["temporal_start"]:
            assert dataset["temporalCoverage"] == f"{row['temporal_start']}/{row['temporal_end']}"
    deaths = (await app.client.get("/datasets/deaths_by_age_band")).text
    assert '"temporalCoverage": "2023-01-01/2024-12-31"' in deaths
