"""What the build writes and the portal reads, defined once for both: database and table names, plugin settings,
licences and update frequencies.

The build (scripts/build/) imports this module as `plugins.portal_site.contract`, the plugins as
`portal_site.contract`; neither side spells these names itself, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

# The release's databases: public, and restricted to partner agencies' tokens.
PUBLIC = "portal"
RESTRICTED = "restricted"
DATABASES = (PUBLIC, RESTRICTED)

# Tables the build generates beside the published datasets.
CATALOGUE_TABLE = "catalogue"  # the open-data list itself (public database only)
DISCLOSURE_TABLE = "disclosure_report"  # what anonymisation did, per derived table (both databases)
HISTORY_TABLE = "dataset_releases"  # every version of every dataset (both databases)
# The catalogue search (/search), in both databases, each over its own datasets: one FTS5 document per dataset (its
# metadata), and one row per value users search by (a commune's name, a procedure's, a category) with the dataset,
# column and number of rows that hold it. Named *_fts, like every full-text index, so that Datasette hides them.
SEARCH_TABLE = "dataset_search_fts"
SEARCH_VALUES_TABLE = "dataset_values_fts"
GENERATED_TABLES = (CATALOGUE_TABLE, DISCLOSURE_TABLE, HISTORY_TABLE, SEARCH_TABLE, SEARCH_VALUES_TABLE)
# Facet counts worked out by the build for a large table (scripts/build/publish/facet_count_table.py) and read by the
# portal in place of counting the table again (plugins/facet_counts.py): one hidden table beside it, named with this
# prefix, holding its declared facet columns and the number of rows with each combination of their values.
FACET_COUNTS_PREFIX = "_facet_counts_"
FACET_COUNTS_COLUMN = "row_count"


def facet_counts_table(table: str) -> str:
    return FACET_COUNTS_PREFIX + table


# Their columns in order: the build writes them, the search weighs the indexed ones by position (bm25).
SEARCH_INDEXED = ("title", "keywords", "description", "publisher", "columns")
SEARCH_COLUMNS = (
    "id",
    *SEARCH_INDEXED,
    "theme_id",
    "theme_vi",
    "theme_en",
    "publisher_id",
    "publisher_vi",
    "publisher_en",
    "update_frequency",
    "access",
)
SEARCH_VALUES_COLUMNS = ("terms", "dataset", "column_name", "cell", "value", "rows")

# Plugin settings in a release's metadata.json.
RESTRICTED_TIER_CONFIG = "restricted-tier"  # which database is restricted, where the tokens are (serving adds it)
CATALOGUE_CONFIG = "portal-catalogue"  # the theme mapping the build carries for the catalogue endpoints
# A table's columns as data, in its metadata: {column: {"label": {vi, en}, "description": {vi, en}, "unit": str|None}}.
# Datasette's own `columns` key holds the same as one display line per column, for its table pages.
COLUMN_DETAILS = "portal-columns"
ROBOTS_CONFIG = "datasette-block-robots"  # /robots.txt: the crawler policy the build carries (datasette-block-robots)
PUBLISHER_EMAILS = "publisher_emails"  # its key for each publisher's mailbox (data/manifest.yml `publishers`)

# A public table's whole-table files other than its CSV, in its metadata: XLSX and JSON, by format, each with its
# path in the release, bytes, SHA-256 and media type (scripts/build/publish/downloads.py, plugins/table_downloads.py).
DOWNLOAD_FORMATS = "download_formats"

# Table metadata the build writes beside Datasette's own keys: the columns of ordered categories (age bands, months,
# quarters, years), whose values sort as text in their natural order; facets list them in that order, not by count.
ORDERED_COLUMNS = "ordered_columns"


@dataclass(frozen=True)
class Licence:
    title: str
    page: str  # the licence's canonical address (catalogues, data.json, data packages)
    page_vi: str  # the page a Vietnamese reader is sent to (Creative Commons has Vietnamese deeds)
    eu_code: str  # its code in the EU licence table (DCAT-AP)


LICENCES = {
    "CC-BY-4.0": Licence(
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/licenses/by/4.0/deed.vi",
        "CC_BY_4_0",
    ),
    "CC0-1.0": Licence(
        "Creative Commons CC0 1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "https://creativecommons.org/publicdomain/zero/1.0/deed.vi",
        "CC0",
    ),
    "ODbL-1.0": Licence(
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "ODC_BL",
    ),
}


@dataclass(frozen=True)
class Frequency:
    vi: str
    en: str
    eu_code: str  # its code in the EU frequency table (DCAT-AP)


FREQUENCIES = {
    "daily": Frequency("Hằng ngày", "Daily", "DAILY"),
    "weekly": Frequency("Hằng tuần", "Weekly", "WEEKLY"),
    "monthly": Frequency("Hằng tháng", "Monthly", "MONTHLY"),
    "quarterly": Frequency("Hằng quý", "Quarterly", "QUARTERLY"),
    "annual": Frequency("Hằng năm", "Annual", "ANNUAL"),
    "irregular": Frequency("Không định kỳ", "Irregular", "IRREG"),
}

# Count tables: the label of a margin (the total over a dimension) and the column that says a cell is hidden.
MARGIN = "Tổng"
SUPPRESSION_COLUMN = "suppression"

# Charts a spec declares (data/specs/*.yml `charts:`), carried in each table's metadata under this key for the
# dataset page to draw: a list of {type, title: {vi, en}, x, y, series, limit, columns: {name: {kind, label,
# categories}}}, columns named as published (after any coarser level the build fell back to).
TABLE_CHARTS = "portal-charts"
CHART_TYPES = ("line", "bars", "pyramid", "stacked")
