"""Chart scripts only on the pages that draw a chart with them.

datasette-vega adds its script and stylesheet to every page Datasette renders; only a table's page and a query's
page have the rows it charts. The dataset pages draw their declared charts as SVG on the server
(plugins/portal_site/chart_view.py) and, like the home page, the catalogue and the rest, load no chart script.
"""

from datasette import hookimpl

from .portal_site import compat

CHART_SCRIPTS = "/-/static-plugins/datasette_vega/"
CHARTED_VIEWS = ("table", "query")


def kept(results: list, view_name: str | None) -> list:
    """Each plugin's list of URLs without the chart plugin's, unless the view draws its chart."""
    if view_name in CHARTED_VIEWS:
        return results
    return [
        [url for url in urls if not str(url.get("url") if isinstance(url, dict) else url).startswith(CHART_SCRIPTS)]
        if isinstance(urls, list)
        else urls
        for urls in results
    ]


@hookimpl(hookwrapper=True)
def extra_js_urls(view_name):
    outcome = yield
    compat.replace_hook_results(outcome, kept(outcome.get_result(), view_name))


@hookimpl(hookwrapper=True)
def extra_css_urls(view_name):
    outcome = yield
    compat.replace_hook_results(outcome, kept(outcome.get_result(), view_name))
