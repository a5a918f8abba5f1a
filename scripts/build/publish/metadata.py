"""Datasette metadata for a release: the portal-wide metadata.yml plus one entry per published table."""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path

import yaml

from plugins.portal_site import formats
from plugins.portal_site.contract import (
    COLUMN_DETAILS,
    FREQUENCIES,
    LICENCES,
    ORDERED_COLUMNS,
    PUBLIC,
    ROBOTS_CONFIG,
    TABLE_CHARTS,
)
from scripts.build.anonymise.generalise import ORDERED
from scripts.build.spec import chart_declarations as chart_specs
from scripts.build.spec.manifest import DatasetEntry, Manifest, Spec

SYNTHETIC_NOTICE = (
    '<p class="synthetic-notice"><strong lang="vi">Dữ liệu mẫu tổng hợp, không phải số liệu chính thức.</strong> '
    '<strong lang="en">Synthetic sample data, not official figures.</strong></p>'
)


def _licence_page(licence: str) -> str:
    """The page a Vietnamese reader of the table is sent to for its licence ("" when the licence is not known)."""
    known = LICENCES.get(licence)
    return known.page_vi if known else ""


def load_portal_metadata(path: Path) -> dict:
    """Read the hand-written, portal-wide metadata."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


# Crawlers index the catalogue and dataset pages, not the restricted tier, SQL or the endless combinations of facets
# and pages. Served at /robots.txt by datasette-block-robots, with the sitemap's address (plugins/robots.py).
CRAWLER_POLICY = """\
User-agent: *
Disallow: /restricted
Disallow: /-/
Disallow: /*?sql=
Disallow: /*_facet=
Disallow: /*_next=
Disallow: /*.db
Allow: /"""


def with_crawler_policy(portal: dict) -> dict:
    """The portal-wide metadata with the crawler policy above, unless metadata.yml configures its own."""
    merged = copy.deepcopy(portal)
    merged.setdefault("plugins", {}).setdefault(ROBOTS_CONFIG, {"literal": CRAWLER_POLICY})
    return merged


def column_details(column, override=None) -> dict:
    """A column's label, description and unit in both languages, as the pages read them (contract.COLUMN_DETAILS);
    `override` is a derived column's own label or description, where it has one."""
    label = getattr(override, "label", None) or column.label
    description = getattr(override, "description", None) or column.description
    return {
        "label": {"vi": label.vi, "en": label.en},
        "description": {"vi": description.vi, "en": description.en},
        "unit": getattr(column, "unit", None) or None,
    }


def column_text(details: dict) -> str:
    """The same as one line, for the column descriptions of Datasette's own table pages."""
    unit = f" [{details['unit']}]" if details["unit"] else ""
    return (
        f"{details['label']['vi']} — {details['description']['vi']}{unit} · "
        f"{details['label']['en']}: {details['description']['en']}"
    )


def columns_metadata(details: dict[str, dict]) -> dict:
    """Both forms of a table's column metadata: data for the portal's pages, display lines for Datasette's."""
    return {"columns": {name: column_text(column) for name, column in details.items()}, COLUMN_DETAILS: details}


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _both(vi: str, en: str) -> str:
    """A text in each language, each marked with its `lang`: a page in one language hides the other's half
    (static/portal.css), a reader without the stylesheet sees both."""
    return f'<span lang="vi">{_escape(vi)}</span> <span lang="en">{_escape(en)}</span>'


def table_description_html(entry: DatasetEntry, manifest: Manifest) -> str:
    """The HTML shown above a table: notice, description, publisher, approval, licence, frequency, each label and
    value in both languages, marked with `lang` so that the table page shows only its reader's."""
    publisher = manifest.publisher(entry)
    theme = manifest.theme(entry)
    approval = entry.approval
    frequency = FREQUENCIES[entry.update_frequency]
    day = approval.date
    parts = [SYNTHETIC_NOTICE] if entry.synthetic else []
    parts += [
        f'<p lang="vi">{_escape(entry.description.vi)}</p>',
        f'<p lang="en">{_escape(entry.description.en)}</p>',
        "<dl>",
        f"<dt>{_both('Đơn vị công bố', 'Publisher')}</dt><dd>{_both(publisher.vi, publisher.en)}</dd>",
        f"<dt>{_both('Chủ đề', 'Theme')}</dt><dd>{_both(theme.vi, theme.en)}</dd>",
        f"<dt>{_both('Phê duyệt', 'Approval')}</dt><dd>{_escape(approval.decision)} "
        f"({_both(formats.date(day, 'vi'), formats.date(day, 'en'))}, {_escape(approval.approver)})</dd>",
        f"<dt>{_both('Tần suất cập nhật', 'Update frequency')}</dt><dd>{_both(frequency.vi, frequency.en)}</dd>",
        f"<dt>{_both('Giấy phép', 'Licence')}</dt><dd>{_escape(entry.licence)}</dd>",
        "</dl>",
    ]
    return "\n".join(parts)


def table_metadata(entry: DatasetEntry, spec: Spec, manifest: Manifest) -> dict:
    """Datasette table metadata generated from a manifest entry and its spec."""
    sortable = list(dict.fromkeys(spec.primary_key + spec.facets + spec.sortable))
    metadata = {
        "title": f"{entry.title.vi} · {entry.title.en}",
        "description_html": table_description_html(entry, manifest),
        "license": entry.licence,
        "license_url": _licence_page(entry.licence),
        "source": manifest.publisher(entry).vi,
        **columns_metadata({column.name: column_details(column) for column in spec.columns}),
        "facets": list(spec.facets),
        "sortable_columns": sortable,
        # The manifest's flag, for the pages of restricted tables: they have no row in the public catalogue table.
        "synthetic": entry.synthetic,
    }
    if spec.sort:
        key = "sort_desc" if spec.sort.startswith("-") else "sort"
        metadata[key] = spec.sort.lstrip("-")
    if spec.label_column:
        metadata["label_column"] = spec.label_column  # Datasette shows it beside the code wherever it is referred to
    if spec.fts:
        metadata["fts_table"] = f"{entry.id}_fts"
        metadata["fts_pk"] = "rowid"
    if spec.charts:
        metadata[TABLE_CHARTS] = chart_specs.metadata(spec.charts, chart_specs.plain_columns(spec.columns))
    return metadata


def release_metadata(portal: dict, tables: dict[str, dict], database: str = PUBLIC) -> dict:
    """Merge generated table metadata into the portal-wide metadata for one database."""
    merged = copy.deepcopy(portal)
    database_metadata = merged.setdefault("databases", {}).setdefault(database, {})
    database_metadata["tables"] = {**database_metadata.get("tables", {}), **tables}
    return merged


SUPPRESSION_COLUMN = {
    "label": {"vi": "Ô bị ẩn", "en": "Suppressed"},
    "description": {
        "vi": "'suppressed' khi số liệu bị ẩn vì nhỏ hơn ngưỡng hoặc để không suy ra được ô nhỏ từ các tổng; "
        "trống khi ô được công bố",
        "en": "'suppressed' when the count is hidden, because it is small or so that small cells cannot be worked "
        "out from totals; empty when published",
    },
    "unit": None,
}


def _perturbed_html(parameters: str) -> str:
    most = json.loads(parameters)["max"]
    return (
        f'<p lang="vi">Số liệu được cộng thêm nhiễu ngẫu nhiên nhỏ (không quá ±{most}, trung bình bằng 0) để không '
        "thể so sánh các bảng hoặc các lần phát hành mà suy ra một người; vì vậy các ô có thể không cộng đúng bằng "
        "dòng Tổng.</p>"
        f'<p lang="en">Counts carry small random noise (at most ±{most}, mean 0) so that comparing tables or releases '
        "cannot single out a person; cells may therefore not add up exactly to their totals.</p>"
    )


def percent_vi(share: float) -> str:
    """A share as Vietnamese writes it: a decimal comma."""
    return f"{share:.1%}".replace(".", ",")


def disclosure_html(report) -> str:
    """A short, plain summary of how the table was protected."""
    if report.method == "aggregate":
        return (
            f'<p lang="vi">Bảng tổng hợp từ {report.rows_in:,} bản ghi cá nhân; dòng có giá trị "Tổng" là tổng cộng. '
            f"Ô có giá trị từ 1 đến {report.threshold - 1} bị ẩn, cùng các ô ẩn thêm để không thể suy ngược từ "
            f"các tổng và các bảng khác: {report.cells_hidden} ô, {percent_vi(report.cells_hidden_share)} số ô và "
            f"{percent_vi(report.persons_hidden_share)} số người. Mức chi tiết: "
            f"{_escape((report.levels_chosen or '').split(' · ')[0])}.</p>"
            f'<p lang="en">Counts from {report.rows_in:,} person records; rows labelled "Tổng" are totals. '
            f"Cells of 1 to {report.threshold - 1} are hidden, with more so that none can be worked back out from "
            f"totals or other tables: {report.cells_hidden} cells, {report.cells_hidden_share:.1%} of cells and "
            f"{report.persons_hidden_share:.1%} of persons. Levels: "
            f"{_escape((report.levels_chosen or '').split(' · ')[-1])}.</p>"
            + (_perturbed_html(report.perturbation) if report.perturbation else "")
        )
    return (
        f'<p lang="vi">Bản ghi đã ẩn danh: k = {report.k}, l = {report.l_diversity}, '
        f"{report.suppressed_share:.1%} bản ghi bị loại.</p>"
        f'<p lang="en">Anonymised records: k = {report.k}, l = {report.l_diversity}, '
        f"{report.suppressed_share:.1%} of records suppressed.</p>"
    )


def _derived_columns(spec, source) -> dict[str, dict]:
    derive = spec.derive
    columns = {}
    if derive.kind == "aggregate":
        for dim in derive.dimensions:
            columns[dim.output] = column_details(source.column(dim.column), dim)
        columns[derive.count.name] = column_details(derive.count)
        columns["suppression"] = SUPPRESSION_COLUMN
        return columns
    for pseudonym in derive.pseudonymise:
        columns[pseudonym.name] = column_details(pseudonym)
    for qi in derive.quasi_identifiers:
        columns[qi.output] = column_details(source.column(qi.column), qi)
    for name in derive.sensitive + derive.keep:
        columns[name] = column_details(source.column(name))
    return columns


def ordered_columns(spec) -> list[str]:
    """The published columns of a derived table that hold ordered categories (age bands, periods)."""
    derive = spec.derive
    if derive.kind == "aggregate":
        return [dim.output for dim in derive.dimensions if dim.generalise in ORDERED]
    return [qi.output for qi in derive.quasi_identifiers if set(qi.levels) <= ORDERED]


def derived_table_metadata(entry: DatasetEntry, spec, source: Spec, manifest: Manifest, report) -> dict:
    """Datasette table metadata for a table derived from a person-level source."""
    sortable = list(dict.fromkeys(spec.facets + spec.sortable))
    metadata = {
        "title": f"{entry.title.vi} · {entry.title.en}",
        "description_html": table_description_html(entry, manifest) + "\n" + disclosure_html(report),
        "license": entry.licence,
        "license_url": _licence_page(entry.licence),
        "source": manifest.publisher(entry).vi,
        **columns_metadata(_derived_columns(spec, source)),
        "facets": list(spec.facets),
        "sortable_columns": sortable,
        "synthetic": entry.synthetic,  # as in table_metadata
        ORDERED_COLUMNS: ordered_columns(spec),
    }
    if spec.sort:
        metadata["sort_desc" if spec.sort.startswith("-") else "sort"] = spec.sort.lstrip("-")
    if spec.charts:
        metadata[TABLE_CHARTS] = chart_specs.metadata(spec.charts, spec.chart_columns(source))
    return metadata
