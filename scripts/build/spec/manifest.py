"""The manifest of approved datasets and their specs, read and checked before anything is built."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from plugins.portal_site.contract import FREQUENCIES
from scripts.build.spec import chart_declarations as chart_specs
from scripts.build.spec.base import Bilingual, Strict
from scripts.build.spec.chart_declarations import Chart
from scripts.build.spec.spec_errors import describe, line_finder, located

SNAKE_CASE = r"^[a-z][a-z0-9_]*$"
DECISION_NUMBER = r"^\d+/[0-9A-ZĐ]+(-[0-9A-ZĐ]+)*$"
APPROVED = "approved"


class ManifestError(Exception):
    """The manifest or a spec cannot be used; the message names the file, entry and field."""


class Vocabulary(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


# A mailbox as catalogues publish it (vcard:hasEmail, data.json's hasEmail): local part, @, a dotted domain.
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class Publisher(Vocabulary):
    # The department's mailbox for questions about its datasets: each dataset's contact point (page, DCAT-AP,
    # data.json, CKAN). Without one, the portal-wide contact of metadata.yml stands in.
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254)


class Decision(Strict):
    decision: str = Field(pattern=DECISION_NUMBER)
    date: dt.date
    approver: str = Field(min_length=1)


class Approval(Decision):
    status: Literal["approved", "pending", "rejected", "withdrawn"]


class Source(Strict):
    files: list[str] = Field(min_length=1)
    max_bytes: int | None = Field(
        default=None, ge=1
    )  # this dataset's file-size limit (scripts/build/read/source_file.py)


class DatasetEntry(Strict):
    id: str = Field(pattern=SNAKE_CASE, max_length=60)
    title: Bilingual
    description: Bilingual
    publisher: str
    theme: str
    licence: str = Field(min_length=1)
    update_frequency: Literal[tuple(FREQUENCIES)]  # the contract's list (plugins/portal_site/contract.py)
    access: Literal["public", "restricted"]
    synthetic: bool = False
    keywords: list[str] = []
    approval: Approval
    source: Source
    spec: str

    @property
    def approved(self) -> bool:
        return self.approval.status == APPROVED


class DisclosurePolicy(Strict):
    """What the build does when no level of a count table meets its utility targets."""

    # fail: stop the build and say what to change (production); publish_best: publish the combination that
    # hides the fewest persons and say so in the disclosure report (a sample too small for any target).
    when_targets_unmet: Literal["fail", "publish_best"] = "fail"


class Manifest(Strict):
    portal_list: Decision
    disclosure: DisclosurePolicy = DisclosurePolicy()
    publishers: list[Publisher] = Field(min_length=1)
    themes: list[Vocabulary] = Field(min_length=1)
    datasets: list[DatasetEntry]

    @model_validator(mode="after")
    def _references_resolve(self) -> Manifest:
        publishers = {p.id for p in self.publishers}
        themes = {t.id for t in self.themes}
        seen: set[str] = set()
        for entry in self.datasets:
            if entry.id in seen:
                raise ValueError(f"dataset '{entry.id}' is listed twice")
            seen.add(entry.id)
            if entry.publisher not in publishers:
                raise ValueError(f"dataset '{entry.id}' field 'publisher': unknown publisher '{entry.publisher}'")
            if entry.theme not in themes:
                raise ValueError(f"dataset '{entry.id}' field 'theme': unknown theme '{entry.theme}'")
        return self

    def publisher(self, entry: DatasetEntry) -> Publisher:
        return next(p for p in self.publishers if p.id == entry.publisher)

    def theme(self, entry: DatasetEntry) -> Vocabulary:
        return next(t for t in self.themes if t.id == entry.theme)


ColumnType = Literal["text", "code", "integer", "number", "date", "boolean"]
Role = Literal["attribute", "direct_identifier", "quasi_identifier", "sensitive", "free_text"]
UNCONFIRMED = "unconfirmed"  # a role `make spec` suggested and no admin has confirmed yet


class Column(Strict):
    name: str = Field(pattern=SNAKE_CASE)
    header: str = Field(min_length=1)
    type: ColumnType
    width: int | None = Field(default=None, ge=1)
    required: bool = False
    role: Literal[Role, "unconfirmed"]  # one literal, so that a wrong role is one error listing them all
    suggested_role: Role | None = None  # written by `make spec`, with the evidence for it
    evidence: str | None = None
    label: Bilingual
    description: Bilingual
    unit: str | None = None

    @model_validator(mode="after")
    def _code_has_width(self) -> Column:
        if self.type == "code" and self.width is None:
            raise ValueError(f"column '{self.name}' of type code needs a 'width'")
        return self


class CountCell(Strict):
    """The cell of a published count table that a column counts the same people as."""

    dataset: str = Field(pattern=SNAKE_CASE)
    match: dict[str, str]  # this table's column -> the count table's dimension
    cell: dict[str, str] = {}  # the count table's other dimensions at these categories (the rest at their totals)


class ProtectedCount(Strict):
    """A column of an as-delivered table that counts people a protected count table counts too.

    `equals`: published as that cell is (its value, nothing where it is hidden). `part_of`: a part of another
    such column, published only when it and the rest are 0 or at least the threshold, and audited as a lower
    bound of the cell.
    """

    column: str
    equals: CountCell | None = None
    part_of: str | None = None

    @model_validator(mode="after")
    def _one_tie(self) -> ProtectedCount:
        if (self.equals is None) == (self.part_of is None):
            raise ValueError(f"protected count '{self.column}' needs exactly one of 'equals' or 'part_of'")
        return self


class Spec(Strict):
    primary_key: list[str] = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)
    facets: list[str] = []
    fts: list[str] = []
    sortable: list[str] = []
    sort: str | None = None
    # A code list (communes, procedures): the column naming each code. Every published column named like this
    # table's key then gets a foreign key to it, and Datasette shows the name beside the code.
    label_column: str | None = None
    protected_counts: list[ProtectedCount] = []
    charts: list[Chart] = []

    @field_validator("columns")
    @classmethod
    def _unique_names(cls, columns: list[Column]) -> list[Column]:
        for attribute in ("name", "header"):
            values = [getattr(c, attribute) for c in columns]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate column {attribute}s: {duplicates}")
        return columns

    @model_validator(mode="after")
    def _references_resolve(self) -> Spec:
        names = {c.name for c in self.columns}
        references = {
            "primary_key": self.primary_key,
            "facets": self.facets,
            "fts": self.fts,
            "sortable": self.sortable,
            "sort": [self.sort.lstrip("-")] if self.sort else [],
            "label_column": [self.label_column] if self.label_column else [],
            "protected_counts": [c.column for c in self.protected_counts]
            + [c.part_of for c in self.protected_counts if c.part_of]
            + [column for c in self.protected_counts if c.equals for column in c.equals.match],
        }
        for field, columns in references.items():
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise ValueError(f"field '{field}' names unknown columns {unknown}")
        if self.label_column and len(self.primary_key) != 1:
            raise ValueError(
                f"field 'label_column' needs a primary key of one column (the code), not {self.primary_key}"
            )
        return self

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text so that a bad date is reported with its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: file not found") from None
    except UnicodeDecodeError as error:
        raise ManifestError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ManifestError(f"{path}{where}: YAML syntax error: {error.problem}") from None


def load_manifest(path: Path) -> Manifest:
    """Read and check `data/manifest.yml`."""
    raw = _read_yaml(path)
    try:
        return Manifest.model_validate(raw)
    except ValidationError as error:
        raise ManifestError("\n".join(describe(error, raw, path, Manifest))) from None


def load_spec(path: Path, dataset_id: str) -> Spec:
    """Read and check one dataset's spec file; a drafted spec is refused until every role is confirmed."""
    raw = _read_yaml(path)
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as error:
        raise ManifestError(
            "\n".join(f"dataset '{dataset_id}': {line}" for line in describe(error, raw, path, Spec))
        ) from None
    unconfirmed = [(i, c) for i, c in enumerate(spec.columns) if c.role == UNCONFIRMED]
    if unconfirmed:
        line = line_finder(path)
        roles = ", ".join(get_args(Role))
        raise ManifestError(
            "\n".join(
                f"dataset '{dataset_id}': {path}{line(('columns', i, 'role'))}: column '{c.name}' (columns[{i}], header "
                f"'{c.header}'): role is unconfirmed; set 'role:' to the role you confirm, one of {roles} "
                f"(suggested: {c.suggested_role or 'none'})"
                for i, c in unconfirmed
            )
        )
    problems = chart_specs.problems(spec.charts, chart_specs.plain_columns(spec.columns))
    if problems:
        raise ManifestError("\n".join(f"dataset '{dataset_id}': {line}" for line in located(path, raw, problems)))
    return spec
