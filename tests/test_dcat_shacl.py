"""/catalog.jsonld against the official DCAT-AP 3.0 SHACL shapes and the EU controlled-vocabulary shapes
(standards/dcat-ap-3.0.0/), with pyshacl, on the real sample build; Turtle and RDF/XML are the same graph."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from scripts.serve import command as serve
from tests.conftest import REPO

pytestmark = pytest.mark.slow
SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = REPO / "standards" / "dcat-ap-3.0.0"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in ("dcat-ap-SHACL.ttl", "mdr-vocabularies.shape.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


@pytest.fixture
def app(sample_release):
    return serve.app(sample_release.release)


def results(data: Graph, shapes: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, message, path) of every result, as the EU validator runs the shapes: with RDFS entailment
    (the shapes' `sh:class rdfs:Resource` holds of every IRI only under it)."""
    _, report, _ = validate(data, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    return [
        (
            str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[1],
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultMessage)),
            str(report.value(r, SH.resultPath)),
        )
        for r in report.objects(None, SH.result)
    ]


async def catalogue_graph(app, path="/catalog.jsonld") -> Graph:
    response = await app.client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    return Graph().parse(data=response.text, format="json-ld")


async def test_no_violation_of_the_dcat_ap_and_vocabulary_shapes(app, shapes):
    data = await catalogue_graph(app)
    public = (await app.client.get("/portal/catalogue.json?_shape=array")).json()
    datasets = set(data.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(public) == 13
    found = results(data, shapes)
    assert [r for r in found if r[0] == "Violation"] == []
    # What remains are warnings that the provincial departments are not EU corporate bodies.
    assert {r[2].split(".")[0] for r in found} == {
        "Value must conform to every Shape in (':CorporateBodyRestriction', ':Publisher_ShapeCV')"
    }


async def test_a_broken_catalogue_is_caught(app, shapes):
    data = await catalogue_graph(app)
    dataset = next(data.subjects(RDF.type, DCAT.Dataset))
    data.remove((dataset, DCTERMS.title, None))
    data.add((dataset, DCAT.theme, URIRef("http://example.org/my-own-theme")))
    violations = [r for r in results(data, shapes) if r[0] == "Violation"]
    assert {(r[1], r[3]) for r in violations} == {(str(dataset), str(DCTERMS.title)), (str(dataset), str(DCAT.theme))}


async def test_every_dataset_carries_what_harvesters_use(app):
    data = await catalogue_graph(app)
    for dataset in data.subjects(RDF.type, DCAT.Dataset):
        contact = data.value(dataset, DCAT.contactPoint)
        assert str(data.value(contact, VCARD.hasEmail)).startswith("mailto:"), dataset
        publisher = data.value(dataset, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in data and data.value(publisher, DCTERMS.type), dataset
        assert data.value(dataset, DCTERMS.issued) and data.value(dataset, DCTERMS.modified), dataset
        assert URIRef("https://sws.geonames.org/1568758/") in set(data.objects(dataset, DCTERMS.spatial))
        assert {str(o) for o in data.objects(dataset, DCTERMS.language)} == {
            AUTHORITY + "language/VIE",
            AUTHORITY + "language/ENG",
        }
        assert str(data.value(dataset, DCAT.theme)).startswith(AUTHORITY + "data-theme/"), dataset
        assert str(data.value(dataset, DCTERMS.accrualPeriodicity)).startswith(AUTHORITY + "frequency/")
        assert str(data.value(dataset, DCTERMS.license)).startswith(AUTHORITY + "licence/")
        assert str(data.value(dataset, DCTERMS.accessRights)) == AUTHORITY + "access-right/PUBLIC"
        assert {k.language for k in data.objects(dataset, DCAT.keyword)} == {"vi", "en"}, dataset
        for distribution in data.objects(dataset, DCAT.distribution):
            assert str(data.value(distribution, DCTERMS.format)).startswith(AUTHORITY + "file-type/")
            assert str(data.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/")
    period = data.value(URIRef("http://localhost/datasets/deaths_by_age_band"), DCTERMS.temporal)
    assert data.value(period, DCAT.startDate) == Literal(
        "2023-01-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )


async def test_download_urls_return_every_row(app):
    data = await catalogue_graph(app)
    counts = {
        row["id"]: row["row_count"] for row in (await app.client.get("/portal/catalogue.json?_shape=array")).json()
    }
    assert max(counts.values()) > 1000  # so that a page-sized answer would be caught
    for dataset in data.subjects(RDF.type, DCAT.Dataset):
        downloads = [data.value(d, DCAT.downloadURL) for d in data.objects(dataset, DCAT.distribution)]
        [csv_url, xlsx_url] = sorted(str(u) for u in downloads if u)  # the CSV and the XLSX file
        response = await app.client.get(csv_url.replace("http://localhost", ""))
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) - 1 == counts[str(data.value(dataset, DCTERMS.identifier))], csv_url
        response = await app.client.get(xlsx_url.replace("http://localhost", ""))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        assert sheet.max_row - 1 == counts[str(data.value(dataset, DCTERMS.identifier))], xlsx_url


async def test_turtle_and_rdf_xml_are_the_same_graph_by_path_and_by_accept(app):
    jsonld = await catalogue_graph(app)
    for path, accept, media, rdflib_format in [
        ("/catalog.ttl", None, "text/turtle", "turtle"),
        ("/catalog.rdf", None, "application/rdf+xml", "xml"),
        ("/catalog", "text/turtle", "text/turtle", "turtle"),
        ("/catalog", "application/json;q=0.5, application/rdf+xml", "application/rdf+xml", "xml"),
        ("/catalog", "text/html", "application/ld+json", "json-ld"),
    ]:
        headers = {"Accept": accept} if accept else {}
        response = await app.client.get(path, headers=headers)
        if path == "/catalog":  # negotiated: a redirect to the address of the chosen format
            assert response.status_code == 303 and "Accept" in response.headers["vary"]
            response = await app.client.get(response.headers["location"], headers=headers)
        assert response.headers["content-type"].startswith(media), (path, accept)
        assert isomorphic(Graph().parse(data=response.text, format=rdflib_format), jsonld), (path, accept)
    assert json.loads((await app.client.get("/catalog.jsonld")).text)["@type"] == "dcat:Catalog"
