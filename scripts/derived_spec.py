"""Specs of published tables derived from person-level sources: aggregates and anonymised record tables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .manifest import SNAKE_CASE, Bilingual, Spec, Strict

# Statistical practice: cells of 1-9 are suppressed; a threshold below 3 is never safe.
DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 3


class Condition(Strict):
    """Keep only source rows whose column is one of `values`, or is non-empty when `present` is true."""

    column: str
    values: list[str] | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> "Condition":
        if (self.values is None) == (self.present is None):
            raise ValueError(f"filter on '{self.column}' needs exactly one of 'values' or 'present'")
        return self


class Dimension(Strict):
    """A grouping column of an aggregate, taken from a source column and optionally generalised."""

    column: str
    name: str | None = Field(default=None, pattern=SNAKE_CASE)
    generalise: str | None = None
    at: str | None = None  # for age generalisers: the date column the age is taken at (default: reference date)
    label: Bilingual | None = None
    description: Bilingual | None = None

    @property
    def output(self) -> str:
        return self.name or self.column


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

    @property
    def output(self) -> str:
        return self.name or self.column


class Pseudonym(Strict):
    column: str
    name: str = Field(pattern=SNAKE_CASE)
    label: Bilingual
    description: Bilingual


class Aggregate(Strict):
    kind: Literal["aggregate"]
    source: str = Field(pattern=SNAKE_CASE)
    filter: list[Condition] = []
    dimensions: list[Dimension] = Field(min_length=1, max_length=4)
    count: Measure
    threshold: int = Field(default=DEFAULT_THRESHOLD, ge=MIN_THRESHOLD)


class Records(Strict):
    kind: Literal["records"]
    source: str = Field(pattern=SNAKE_CASE)
    filter: list[Condition] = []
    quasi_identifiers: list[QuasiIdentifier] = Field(min_length=1)
    sensitive: list[str] = []
    keep: list[str] = []
    pseudonymise: list[Pseudonym] = []
    k: int = Field(default=5, ge=5)
    l: int = Field(default=3, ge=2)  # noqa: E741 - the letter of l-diversity
    max_suppression: float = Field(default=0.05, ge=0, le=0.5)
    sample_fraction: float = Field(default=1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _k_for_sensitive(self) -> "Records":
        if self.sensitive and self.k < 10:
            raise ValueError("k must be at least 10 when sensitive attributes are published")
        if self.sensitive and self.l < 3:
            raise ValueError("l must be at least 3 for sensitive attributes")
        return self


class DerivedSpec(Strict):
    """A published table computed from a person-level source; only its own columns are published."""

    derive: Aggregate | Records = Field(discriminator="kind")
    facets: list[str] = []
    sortable: list[str] = []
    sort: str | None = None
    gate_allow: list[dict] = []

    def check_against(self, source: Spec) -> list[str]:
        """Problems with the columns this spec takes from its source."""
        names = {c.name for c in source.columns}
        derive = self.derive
        taken = [condition.column for condition in derive.filter]
        pseudonymised = []
        if isinstance(derive, Aggregate):
            taken += [d.column for d in derive.dimensions] + [d.at for d in derive.dimensions if d.at]
        else:
            taken += [q.column for q in derive.quasi_identifiers] + derive.sensitive + derive.keep
            pseudonymised = [p.column for p in derive.pseudonymise]
        problems = [
            f"column '{c}' is not in source spec '{derive.source}'" for c in taken + pseudonymised if c not in names
        ]
        roles = {c.name: c.role for c in source.columns}
        # Identifiers and free text never pass through as values; an identifier may only become a keyed pseudonym.
        problems += [
            f"column '{c}' is a {roles[c]} and can never be published"
            for c in taken if roles.get(c) in ("direct_identifier", "free_text")
        ]
        problems += [f"column '{c}' is a {roles[c]}, not an identifier to pseudonymise"
                     for c in pseudonymised if c in roles and roles[c] != "direct_identifier"]
        outputs = set(self.output_columns())
        for field, columns in (("facets", self.facets), ("sortable", self.sortable),
                               ("sort", [self.sort.lstrip("-")] if self.sort else [])):
            problems += [f"field '{field}' names unknown column '{c}'" for c in columns if c not in outputs]
        return problems

    def output_columns(self) -> list[str]:
        derive = self.derive
        if isinstance(derive, Aggregate):
            return [d.output for d in derive.dimensions] + [derive.count.name, "suppression"]
        return ([p.name for p in derive.pseudonymise] + [q.output for q in derive.quasi_identifiers]
                + derive.sensitive + derive.keep)

