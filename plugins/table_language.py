"""Datasette's own table, row, database and query pages in the reader's language: column labels instead of
identifiers, the filter and sort sentence, operator names, numbers and dates, suppressed cells in words.

The templates that use these (templates/table.html, _table.html, ...) are copies of Datasette's with `_()` around
each string (tests/test_upstream_templates.py pins the originals); the logic is in portal_site/table_text.py.
"""

from datasette import hookimpl

from .portal_site import contract, enumerations, formats, language, table_rows, table_text


def _dataset_url(datasette, database: str):
    def url(table: str) -> str | None:
        # Published datasets (and only they) have column details, a dataset page and its disclosure section.
        if (datasette.table_metadata(database, table) or {}).get(contract.COLUMN_DETAILS) is None:
            return None
        return datasette.urls.path(f"/datasets/{table}#disclosure")

    return url


@hookimpl
def extra_template_vars(datasette, database, table, view_name, request):
    if view_name not in ("table", "row", "database", "query"):
        return {}
    lang = language.language(request)
    metadata = datasette.table_metadata(database, table) if database and table else {}
    columns = table_text.Columns(metadata, lang)

    def describe(filters, search, sort, sort_desc, count, limit=None):
        selections = list(filters.selections()) if filters else []
        return table_text.description(
            columns, selections, search, sort, sort_desc, count, table_text.rows_text(count, lang, limit)
        )

    return {
        "portal_columns": columns,
        "column_label": columns.label,
        "lookup_name": lambda key, display: table_text.lookup_name(key, display, lang),
        "describe_rows": describe,
        "table_title": lambda name: (datasette.table_metadata(database, name) or {}).get("title"),
    }


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    # render_cell is handed no request: the language is the one the request is served in.
    return table_text.cell(value, column, table, row, language.current(), _dataset_url(datasette, database))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["number"] = lambda value, decimals=0: formats.number(value, language.current(), decimals)
    env.filters["percent"] = lambda share: formats.percent(share, language.current())
    env.filters["local_date"] = lambda value: formats.date(value, language.current())
    # The names of the enumerations the build writes as codes (plugins/portal_site/enumerations.py).
    env.filters["frequency_name"] = enumerations.frequency
    env.filters["access_name"] = enumerations.access
    env.filters["column_type_name"] = enumerations.column_type
    # Globals, for the footer and error pages too, which are rendered without plugin variables.
    env.globals["in_language"] = lambda text: table_text.in_language(text, language.current())
    env.globals["rows_text"] = lambda count, limit=None: table_text.rows_text(count, language.current(), limit)
    env.globals["table_rows_html"] = table_rows.rows_html
    # Templates are read once: a process serves one version of the code for its life (the ETags assume it too),
    # and checking every template file's time on each page cost a few stat calls a page.
    env.auto_reload = False
