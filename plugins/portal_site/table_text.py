"""What Datasette's table, row and query pages say, in the reader's language: column labels from the build's data,
the sentence describing filters and sort, and cell values (numbers, dates, the suppressed marker).

Only HTML is affected: the JSON and CSV of a table carry the raw values and the column identifiers.
"""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape

from . import contract, formats, language
from .translations import N_, gettext, ngettext

# Datasette's filter lookups (datasette/filters.py): what the operator menu shows, and the clause describing it.
LOOKUPS = {
    "exact": (N_("="), N_('%(column)s = "%(value)s"')),
    "not": (N_("!="), N_('%(column)s != "%(value)s"')),
    "contains": (N_("contains"), N_('%(column)s contains "%(value)s"')),
    "endswith": (N_("ends with"), N_('%(column)s ends with "%(value)s"')),
    "startswith": (N_("starts with"), N_('%(column)s starts with "%(value)s"')),
    "gt": (N_(">"), N_("%(column)s > %(value)s")),
    "gte": (N_("≥"), N_("%(column)s ≥ %(value)s")),
    "lt": (N_("<"), N_("%(column)s < %(value)s")),
    "lte": (N_("≤"), N_("%(column)s ≤ %(value)s")),
    "like": (N_("like"), N_('%(column)s like "%(value)s"')),
    "notlike": (N_("not like"), N_('%(column)s not like "%(value)s"')),
    "glob": (N_("glob"), N_('%(column)s glob "%(value)s"')),
    "in": (N_("in"), N_("%(column)s in %(value)s")),
    "notin": (N_("not in"), N_("%(column)s not in %(value)s")),
    "arraycontains": (N_("array contains"), N_('%(column)s contains "%(value)s"')),
    "arraynotcontains": (N_("array does not contain"), N_('%(column)s does not contain "%(value)s"')),
    "date": (N_("date"), N_("%(column)s is on date %(value)s")),
    "isnull": (N_("is null"), N_("%(column)s is empty")),
    "notnull": (N_("is not null"), N_("%(column)s is not empty")),
    "isblank": (N_("is blank"), N_("%(column)s is blank")),
    "notblank": (N_("is not blank"), N_("%(column)s is not blank")),
}
# Words Datasette puts into its templates' context, which the templates pass through `_()`: the link column, the
# home crumb, the query page's show/hide link, facet types.
DATASETTE_WORDS = (N_("Link"), N_("home"), N_("hide"), N_("show"), N_("array"), N_("date"))
SUPPRESSED = "suppressed"  # the build's marker in contract.SUPPRESSION_COLUMN
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def in_language(text: str | None, lang: str) -> str:
    """The reader's half of a metadata text the build writes "Vietnamese · English" (titles); the text itself
    when it has no such halves."""
    vi, separator, en = (text or "").partition(" · ")
    if not separator:
        return text or ""
    return (en if lang == "en" else vi).strip()


class Columns:
    """A table's column labels and descriptions in one language, from its metadata (contract.COLUMN_DETAILS)."""

    def __init__(self, table_metadata: dict | None, lang: str):
        self.details = (table_metadata or {}).get(contract.COLUMN_DETAILS) or {}
        self.lang = lang

    def label(self, column: str) -> str:
        label = (self.details.get(column) or {}).get("label") or {}
        if column == "Link" and not label:  # Datasette's link column of a table without a simple primary key
            return gettext("Link", self.lang)
        return label.get(self.lang) or label.get(language.DEFAULT) or column

    def description(self, column: str) -> str:
        details = self.details.get(column) or {}
        text = (details.get("description") or {}).get(self.lang) or ""
        unit = details.get("unit")
        return f"{text} [{unit}]" if unit and text else text

    def described(self) -> list[tuple[str, str, str]]:
        """(identifier, label, description) of every column the build described."""
        return [(name, self.label(name), self.description(name)) for name in self.details]


def lookup_name(key: str, display: str, lang: str) -> str:
    """The operator menu's text for a lookup (Datasette's own display text for one it adds later)."""
    return gettext(LOOKUPS[key][0], lang) if key in LOOKUPS else display


def description(
    columns: Columns, selections, search: str | None, sort: str | None, sort_desc: str | None, count, count_text
) -> str:
    """What Datasette says in English as "41 rows where sex = "Nam" sorted by year", in the reader's language."""
    lang = columns.lang
    clauses = []
    if search:
        clauses.append(gettext('search matches "%(value)s"', lang) % {"value": search})
    for column, lookup, value in selections:
        template = LOOKUPS.get(lookup, (None, "%(column)s " + lookup + " %(value)s"))[1]
        clauses.append(gettext(template, lang) % {"column": columns.label(column), "value": value})
    parts = [count_text] if count_text else []
    if clauses:
        joined = gettext(" and ", lang).join([", ".join(clauses[:-1]), clauses[-1]] if len(clauses) > 1 else clauses)
        parts.append(gettext("where %(conditions)s", lang) % {"conditions": joined})
    if sort or sort_desc:
        message = N_("sorted by %(column)s, descending") if sort_desc else N_("sorted by %(column)s")
        parts.append(gettext(message, lang) % {"column": columns.label(sort or sort_desc)})
    return " ".join(parts)


def rows_text(count: int | None, lang: str, limit: int | None = None) -> str:
    """ "3.300 dòng" / "3,300 rows"; "more than" when Datasette stopped counting."""
    if count is None:
        return ""
    if limit is not None and count == limit + 1:
        return gettext("more than %(count)s rows", lang) % {"count": formats.number(limit, lang)}
    return ngettext("%(count)s row", "%(count)s rows", count, lang) % {"count": formats.number(count, lang)}


def cell(value, column: str, table: str | None, row, lang: str, dataset_url=None):
    """A cell's display in the reader's language, or None to leave it to Datasette: numbers grouped, ISO dates as
    the language writes them, suppressed counts as words linking to why they are hidden."""
    if table and column == contract.SUPPRESSION_COLUMN and value == SUPPRESSED:
        return _suppressed(table, lang, dataset_url)
    if value is None and table and _row_value(row, contract.SUPPRESSION_COLUMN) == SUPPRESSED:
        return _suppressed(table, lang, dataset_url)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return formats.number(value, lang)
    if isinstance(value, float):
        text = repr(value)
        decimals = len(text.partition(".")[2]) if "e" not in text else 6
        return formats.number(value, lang, decimals)
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return None
        return formats.date(value, lang)
    return None


def _row_value(row, column: str):
    try:
        return row[column]
    except (IndexError, KeyError, TypeError):
        return None


def _suppressed(table: str, lang: str, dataset_url) -> Markup:
    words = gettext("hidden", lang)
    why = gettext("Hidden to protect people: small counts, and counts from which they could be worked out", lang)
    href = dataset_url(table) if dataset_url else None
    if not href:
        return Markup('<span class="suppressed" title="{}">{}</span>').format(why, words)
    return Markup('<a class="suppressed" href="{}" title="{}">{}</a>').format(href, why, escape(words))
