"""Specs of published tables derived from person-level sources: aggregates and anonymised record tables."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scripts.build.anonymise.cellkey import CellKeyParameters
from scripts.build.spec import chart_declarations as chart_specs
from scripts.build.spec.chart_declarations import Chart, ChartColumn
from scripts.build.spec.manifest import SNAKE_CASE, Bilingual, Spec, Strict

# Statistical practice: cells of 1-9 are suppressed; a threshold below 3 is never safe.
DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 3


def _known_generaliser(name: str | None) -> str | None:
    from scripts.build.anonymise.generalise import GENERALISERS  # imported late: the anonymise package reads specs too

    if name is not None and name not in GENERALISERS:
        raise ValueError(f"unknown generaliser '{name}'; known: {', '.join(sorted(GENERALISERS))}")
    return name


class Condition(Strict):
    """Keep only source rows whose column is one of `values`, or is non-empty when `present` is true."""

    column: str
    values: list[str] | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.values is None) == (self.present is None):
            raise ValueError(f"filter on '{self.column}' needs exactly one of 'values' or 'present'")
        return self


class Reference(Strict):
    """A column of another published dataset: its values, or a grouping of them by a second column."""

    dataset: str = Field(pattern=SNAKE_CASE)
    column: str
    group_by: str | None = None


class Level(Strict):
    """A coarser level a dimension may fall back to: another generaliser, or categories grouped as declared."""

    generalise: str | None = None
    groups: dict[str, list[str]] | None = None  # group label -> the categories it gathers
    groups_from: Reference | None = None  # e.g. procedures grouped by their field in the procedure list
    name: str | None = Field(default=None, pattern=SNAKE_CASE)
    label: Bilingual | None = None
    description: Bilingual | None = None

    _generaliser = field_validator("generalise")(_known_generaliser)

    @model_validator(mode="after")
    def _one_way(self) -> Level:
        if sum(x is not None for x in (self.generalise, self.groups, self.groups_from)) != 1:
            raise ValueError("a coarser level needs exactly one of 'generalise', 'groups' or 'groups_from'")
        return self


class Dimension(Strict):
    """A grouping column of an aggregate, taken from a source column, optionally generalised or grouped.

    `categories` (or `categories_from`) is the allow-list of the values it may publish; `coarser` lists the
    levels the build may fall back to, finest first, when this one hides too much.
    """

    column: str
    name: str | None = Field(default=None, pattern=SNAKE_CASE)
    generalise: str | None = None
    at: str | None = None  # for age generalisers: the date column the age is taken at (default: reference date)
    groups: dict[str, list[str]] | None = None
    groups_from: Reference | None = None
    categories: list[str] | None = None
    categories_from: Reference | None = None
    label: Bilingual | None = None
    description: Bilingual | None = None
    coarser: list[Level] = []

    _generaliser = field_validator("generalise")(_known_generaliser)

    @property
    def output(self) -> str:
        return self.name or self.column

    @property
    def levels(self) -> list[Dimension]:
        """This dimension at each acceptable level, finest first, each with its own name and labels."""
        own = self.model_copy(update={"coarser": []})
        return [own] + [
            own.model_copy(
                update={
                    "generalise": level.generalise if level.generalise is not None else self.generalise,
                    "groups": level.groups,
                    "groups_from": level.groups_from,
                    "name": level.name or self.name,
                    "label": level.label or self.label,
                    "description": level.description or self.description,
                }
            )
            for level in self.coarser
        ]

    @property
    def level_name(self) -> str:
        """What this level does to the source column, for the disclosure report."""
        grouped = " grouped" if self.groups or self.groups_from else ""
        return f"{self.generalise or 'as delivered'}{grouped}"


class Measure(Strict):
    name: str = Field(pattern=SNAKE_CASE)
    label: Bilingual
    description: Bilingual
    unit: str | None = None


class QuasiIdentifier(Strict):
    """A quasi-identifier of a record table and its generalisation levels, least general first."""

    column: str
    name: str | None = Field(default=None, pattern=SNAKE_CASE)
    levels: list[str] = Field(min_length=1)
    label: Bilingual | None = None
    description: Bilingual | None = None

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, levels: list[str]) -> list[str]:
        from scripts.build.anonymise.kanon import LEVELS

        unknown = [level for level in levels if level not in LEVELS]
        if unknown:
            raise ValueError(f"unknown level(s) {unknown}; known: {', '.join(sorted(LEVELS))}")
        return levels

    @property
    def output(self) -> str:
        return self.name or self.column


class Pseudonym(Strict):
    column: str
    name: str = Field(pattern=SNAKE_CASE)
    label: Bilingual
    description: Bilingual


class Equal(Strict):
    """Counts known to be equal: for every combination of the other dimensions, these categories match."""

    dimension: str  # source column of the dimension
    categories: list[str] = Field(min_length=2)
    where: dict[str, list[str]] = {}  # source column -> the categories in which the equality holds


class AtMost(Strict):
    """Every cell, cumulated over time, is at most the matching cell of another table (activated <= registered)."""

    dataset: str = Field(pattern=SNAKE_CASE)
    cumulative: str  # this table's date column
    matching: str  # the other table's date column


class Relation(Strict):
    """A fact about the counts that anyone knows, which the joint audit must assume the attacker uses."""

    equal: Equal | None = None
    at_most: AtMost | None = None

    @model_validator(mode="after")
    def _one_fact(self) -> Relation:
        if (self.equal is None) == (self.at_most is None):
            raise ValueError("a relation is exactly one of 'equal' or 'at_most'")
        return self


class Targets(Strict):
    """The most a published aggregate may hide: shares of its non-empty cells and of its persons."""

    cells_hidden: float = Field(default=0.05, ge=0, le=1)
    persons_hidden: float = Field(default=0.01, ge=0, le=1)


class Aggregate(Strict):
    kind: Literal["aggregate"]
    source: str = Field(pattern=SNAKE_CASE)
    filter: list[Condition] = []
    dimensions: list[Dimension] = Field(min_length=1, max_length=4)
    count: Measure
    threshold: int = Field(default=DEFAULT_THRESHOLD, ge=MIN_THRESHOLD)
    relations: list[Relation] = []
    targets: Targets = Targets()
    perturbation: CellKeyParameters | None = None


class Records(Strict):
    kind: Literal["records"]
    source: str = Field(pattern=SNAKE_CASE)
    filter: list[Condition] = []
    quasi_identifiers: list[QuasiIdentifier] = Field(min_length=1)
    sensitive: list[str] = []
    keep: list[str] = []
    pseudonymise: list[Pseudonym] = []
    k: int = Field(default=5, ge=5)
    l: int = Field(default=3, ge=2)  # the letter of l-diversity
    max_suppression: float = Field(default=0.05, ge=0, le=0.5)
    sample_fraction: float = Field(default=1.0, gt=0, le=1)
    # Tables declaring the same link share pseudonyms (and can be joined per person); without one, a table's
    # pseudonyms match nothing outside it and change at every release.
    link: str | None = Field(default=None, pattern=SNAKE_CASE)

    @model_validator(mode="after")
    def _k_for_sensitive(self) -> Records:
        if self.sensitive and self.k < 10:
            raise ValueError("k must be at least 10 when sensitive attributes are published")
        if self.sensitive and self.l < 3:
            raise ValueError("l must be at least 3 for sensitive attributes")
        return self

    @model_validator(mode="after")
    def _columns_once(self) -> Records:
        published = [q.column for q in self.quasi_identifiers] + self.sensitive + self.keep
        twice = sorted({c for c in published if published.count(c) > 1})
        if twice:
            raise ValueError(f"column(s) {twice} appear more than once among quasi_identifiers, sensitive and keep")
        if self.link and not self.pseudonymise:
            raise ValueError("'link' shares pseudonyms, but this table has none ('pseudonymise' is empty)")
        return self


class GateAllow(Strict):
    """Values of one published column ('*': of every column) that the gate lets through, and why."""

    column: str
    pattern: str  # a Python regular expression the whole value must match
    reason: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression ({error}); write one the whole value must match") from None
        return pattern

    @field_validator("reason")
    @classmethod
    def _says_why(cls, reason: str) -> str:
        if not reason.strip():
            raise ValueError("say why these values are not personal data")
        return reason


class DerivedSpec(Strict):
    """A published table computed from a person-level source; only its own columns are published."""

    derive: Aggregate | Records = Field(discriminator="kind")
    facets: list[str] = []
    sortable: list[str] = []
    sort: str | None = None
    gate_allow: list[GateAllow] = []
    charts: list[Chart] = []

    def check_against(self, source: Spec) -> list[tuple[tuple, str]]:
        """Problems with the columns this spec takes from its source, each at its location in the spec file."""
        names = [c.name for c in source.columns]
        derive, at = self.derive, ("derive",)
        taken = [(at + ("filter", i, "column"), c.column) for i, c in enumerate(derive.filter)]
        pseudonymised = []
        if isinstance(derive, Aggregate):
            taken += [(at + ("dimensions", i, "column"), d.column) for i, d in enumerate(derive.dimensions)]
            taken += [(at + ("dimensions", i, "at"), d.at) for i, d in enumerate(derive.dimensions) if d.at]
        else:
            taken += [
                (at + ("quasi_identifiers", i, "column"), q.column) for i, q in enumerate(derive.quasi_identifiers)
            ]
            taken += [(at + (key, i), c) for key in ("sensitive", "keep") for i, c in enumerate(getattr(derive, key))]
            pseudonymised = [(at + ("pseudonymise", i, "column"), p.column) for i, p in enumerate(derive.pseudonymise)]
        problems = [
            (where, f"column '{c}' is not in source spec '{derive.source}'; its columns: {', '.join(names)}")
            for where, c in taken + pseudonymised
            if c not in names
        ]
        roles = {c.name: c.role for c in source.columns}
        # Identifiers and free text never pass through as values; an identifier may only become a keyed pseudonym.
        problems += [
            (where, f"column '{c}' is a {roles[c]} and can never be published")
            for where, c in taken
            if roles.get(c) in ("direct_identifier", "free_text")
        ]
        problems += [
            (where, f"column '{c}' is a {roles[c]}, not an identifier to pseudonymise")
            for where, c in pseudonymised
            if c in roles and roles[c] != "direct_identifier"
        ]
        if isinstance(derive, Aggregate):
            problems += self._dimension_problems()
        outputs = list(dict.fromkeys(self.output_columns() + self.level_outputs()))
        published = f"published columns: {', '.join(outputs)}"
        for field, columns in (("facets", self.facets), ("sortable", self.sortable)):
            problems += [
                ((field, i), f"unknown column '{c}'; {published}") for i, c in enumerate(columns) if c not in outputs
            ]
        if self.sort and self.sort.lstrip("-") not in outputs:
            problems.append((("sort",), f"unknown column '{self.sort.lstrip('-')}'; {published}"))
        problems += [
            (
                ("gate_allow", i, "column"),
                f"column '{rule.column}' is not published; '*' or one of {', '.join(outputs)}",
            )
            for i, rule in enumerate(self.gate_allow)
            if rule.column != "*" and rule.column not in outputs
        ]
        if not problems:  # the columns' kinds are known once the columns are
            problems += chart_specs.problems(self.charts, self.chart_columns(source))
        return problems

    def chart_columns(self, source: Spec) -> dict[str, ChartColumn]:
        """Every column a chart may name (each level of each dimension too), with its kind and label."""
        derive, columns = self.derive, {}
        if isinstance(derive, Aggregate):
            for dim in derive.dimensions:
                for level in dim.levels:
                    kind = chart_specs.GENERALISED_KIND.get(level.generalise, chart_specs.CATEGORY)
                    declared = (
                        tuple(level.groups)
                        if level.groups
                        else tuple(level.categories)
                        if level.categories and not level.generalise
                        else None
                    )
                    columns.setdefault(
                        level.output, ChartColumn(kind, level.label or source.column(dim.column).label, declared)
                    )
            columns[derive.count.name] = ChartColumn(chart_specs.MEASURE, derive.count.label)
            return columns
        for qi in derive.quasi_identifiers:
            columns[qi.output] = ChartColumn(chart_specs.CATEGORY, qi.label or source.column(qi.column).label)
        for name in derive.sensitive + derive.keep:
            columns[name] = ChartColumn(chart_specs.TYPE_KIND[source.column(name).type], source.column(name).label)
        return columns

    def _dimension_problems(self) -> list[tuple[tuple, str]]:
        """Dimensions without an allow-list, relations naming no dimension."""
        problems = []
        for index, dim in enumerate(self.derive.dimensions):
            free = dim.generalise in (None, "identity") and not (dim.groups or dim.groups_from)
            if free and dim.categories is None and dim.categories_from is None:
                problems.append(
                    (
                        ("derive", "dimensions", index),
                        "list the categories it may publish in "
                        "'categories' or 'categories_from', so that no unexpected value (a name, say) is "
                        "published",
                    )
                )
        columns = [d.column for d in self.derive.dimensions]
        for index, relation in enumerate(self.derive.relations):
            if relation.equal:
                named = [relation.equal.dimension, *relation.equal.where]
            else:
                named = [relation.at_most.cumulative]
            problems += [
                (
                    ("derive", "relations", index),
                    f"'{c}' is not a dimension's column; dimensions' columns: {', '.join(columns)}",
                )
                for c in named
                if c not in columns
            ]
        return problems

    def level_outputs(self) -> list[str]:
        """Output names of every acceptable level of every dimension."""
        if not isinstance(self.derive, Aggregate):
            return []
        return [level.output for dim in self.derive.dimensions for level in dim.levels]

    def at_levels(self, choice: tuple[int, ...]) -> DerivedSpec:
        """The spec with each dimension at the chosen level, facets and sorts renamed to follow."""
        dims = self.derive.dimensions
        chosen = [dim.levels[i] for dim, i in zip(dims, choice)]
        rename = {level.output: pick.output for dim, pick in zip(dims, chosen) for level in dim.levels}

        def follow(names: list[str]) -> list[str]:
            return list(dict.fromkeys(rename.get(n, n) for n in names))

        sort = self.sort and ("-" if self.sort.startswith("-") else "") + rename.get(
            self.sort.lstrip("-"), self.sort.lstrip("-")
        )
        derive = self.derive.model_copy(update={"dimensions": chosen})
        return self.model_copy(
            update={
                "derive": derive,
                "facets": follow(self.facets),
                "sortable": follow(self.sortable),
                "sort": sort,
                "charts": chart_specs.renamed(self.charts, rename),
            }
        )

    def output_columns(self) -> list[str]:
        derive = self.derive
        if isinstance(derive, Aggregate):
            return [d.output for d in derive.dimensions] + [derive.count.name, "suppression"]
        return (
            [p.name for p in derive.pseudonymise]
            + [q.output for q in derive.quasi_identifiers]
            + derive.sensitive
            + derive.keep
        )
