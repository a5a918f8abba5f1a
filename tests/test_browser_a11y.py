"""Every page type in a real Chromium at 390 px and 1366 px: zero axe-core violations (WCAG 2.0/2.1/2.2 A and AA, and
axe's best practices: landmarks, headings in order), no sideways scroll on a phone, text of 16 px, chart labels of
12 px, tap targets of 24 px, a skip link to <main>, a visible focus ring; and what a cold load transfers."""

from __future__ import annotations

import json

import pytest

from tests.browser import offline_browser, offline_context

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]

# One of each page type of the sample build, Vietnamese first; no axe rule is turned off on any of them.
PAGES = {
    "home": "/",
    "home by publisher, English": "/?by=publisher&lang=en",
    "dataset with charts and map": "/datasets/residents_by_commune_sex_age",
    "dataset of records": "/datasets/online_procedures",
    "search": "/search?q=dich+vu",
    "API guide": "/api",
    "table": "/portal/online_procedures",
    "filtered table with facets": "/portal/online_procedures?_facet=field&_facet=online_level&online_level=To%C3%A0n+tr%C3%ACnh",
    "table of places": "/portal/communes",
    "row": "/portal/online_procedures/1~2E000008~2E000~2E00~2E00~2EH49",
    "database": "/portal",
    "query": "/portal?sql=select+%2A+from+communes+limit+20",
    "error": "/no-such-page",
    "request form": "/yeu-cau/gui",
    "requests list": "/yeu-cau",
}
WIDTHS = (390, 1366)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
# Measured in the page: elements whose own text is under 16 px, targets under 24 px, chart text under 12 px as drawn.
# Exempt targets, as WCAG 2.5.8 allows: a link inside a sentence; a map's marks, whose every value is in the table
# beneath the map; CodeMirror's input, which the editor around it (the target) covers; a control inside its label
# (the label is measured); the request form's hidden field for bots, off screen.
MEASURE = """() => {
  const out = {small: [], targets: [], chart: []};
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right > 0
      && getComputedStyle(e).visibility !== 'hidden'; };
  const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : '')
      + ' "' + (e.textContent || e.value || '').trim().slice(0, 30) + '"';
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg') || !shown(e)) continue;
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (text && size < 16) out.small.push(name(e) + ' ' + size + 'px');
  }
  for (let e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, textarea')) {
    if (!shown(e) || e.closest('.skip-link, .CodeMirror, svg')) continue;
    if (e.tagName === 'A' && [...e.parentElement.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length > 3)) continue;
    if (e.closest('label')) e = e.closest('label');
    const r = e.getBoundingClientRect();
    if (r.width < 24 || r.height < 24) out.targets.push(name(e) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  for (const t of document.querySelectorAll('svg text')) {
    const drawn = parseFloat(getComputedStyle(t).fontSize) * Math.abs(t.getScreenCTM().a);
    if (shown(t) && drawn < 12) out.chart.push(t.textContent.slice(0, 20) + ' ' + drawn.toFixed(1) + 'px');
  }
  out.width = [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  out.landmarks = ['header', 'nav', 'main', 'footer'].filter(s => document.querySelectorAll(s).length === 0);
  out.mains = document.querySelectorAll('main').length;
  return out;
}"""

# The contrast of the focused element's outline against the background it is drawn on (WCAG 2.4.13's 3:1).
FOCUS_CONTRAST = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92
      : Math.pow((v + 0.055) / 1.055, 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = e.parentElement;
  while (bg && (getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)')) bg = bg.parentElement;
  const back = bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)';
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return [0, style.outlineStyle];
  const [a, b] = [lum(style.outlineColor), lum(back)];
  return [(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), style.outlineColor + ' on ' + back];
}"""


@pytest.fixture(scope="module")
def base_url(sample_url):
    return sample_url


@pytest.fixture(scope="module")
def browser(chromium):
    with offline_browser(chromium) as browser:
        yield browser


def test_every_page_type_passes_axe_and_fits_a_phone(browser, base_url):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    for width in WIDTHS:
        context = offline_context(browser, base_url, width)
        page = context.new_page()
        for kind, path in PAGES.items():
            answer = page.goto(path)
            assert answer.status == (404 if kind == "error" else 200), (kind, answer.status)
            if path.startswith("/portal"):
                page.wait_for_load_state("networkidle")  # the chart tool and the map draw after the load
            options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
            found = axe.run(page, options=options).response
            for violation in found["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{width}px {kind} {path}: axe {violation['id']} ({violation['impact']}) {targets}")
            measured = page.evaluate(MEASURE)
            if measured["width"][0] > measured["width"][1]:
                problems.append(f"{width}px {kind}: scrolls sideways {measured['width']}")
            if measured["landmarks"] or measured["mains"] != 1:
                problems.append(f"{width}px {kind}: missing landmarks {measured['landmarks']}")
            if width == 390:
                problems += [
                    f"390px {kind}: {what} {item}" for what in ("small", "targets", "chart") for item in measured[what]
                ]
        context.close()
    assert not problems, "\n".join(problems)


def test_the_skip_link_comes_first_and_focus_is_visible_on_every_background(browser, base_url):
    context = offline_context(browser, base_url, 390)
    page = context.new_page()
    page.goto("/portal/online_procedures?_facet=field")
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert skip == ["skip-link", "#main"]
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown when focused
    assert page.evaluate(FOCUS_CONTRAST)[0] >= 3
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The header's dark blue, the page's white, a table cell, the facet boxes, a button, a select and the footer.
    for selector in (
        "header .portal-links a",
        "main .facet-info li a",
        "th a",
        "select",
        "form.filters [type=submit]",
        ".table-wrapper",
        "footer a",
    ):
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")  # moving by keyboard is what shows :focus-visible
        page.keyboard.press("Tab")
        ratio, colours = page.evaluate(FOCUS_CONTRAST)
        assert ratio >= 3, (selector, ratio, colours)
    context.close()


def test_a_wide_table_keeps_its_first_column_in_view_in_its_own_focusable_region(browser, base_url):
    context = offline_context(browser, base_url, 800)
    page = context.new_page()
    page.goto("/portal/online_procedures")
    region = page.get_by_role("region", name="Các dòng của bảng, cuộn ngang")
    assert region.get_attribute("tabindex") == "0"
    before = page.locator("table.rows-and-columns tbody tr td").first.bounding_box()["x"]
    region.evaluate("r => { r.scrollLeft = 400; }")
    assert region.evaluate("r => r.scrollLeft") > 0  # it is wider than the screen, and scrolls by itself
    assert page.locator("table.rows-and-columns tbody tr td").first.bounding_box()["x"] == before
    assert page.locator("table.rows-and-columns tbody tr td").nth(1).bounding_box()["x"] < before + 400
    context.close()


def _cold_load(browser, base_url, path) -> dict:
    context = offline_context(browser, base_url, 390)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(path, wait_until="networkidle")
    sizes = {
        request.url[len(base_url) :]: (
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"],
            request.response().headers.get("content-encoding", ""),
        )
        for request in finished
    }
    context.close()
    return sizes


def test_a_cold_load_of_the_home_and_a_table_page_transfers_its_static_files_compressed(browser, base_url):
    totals = {}
    for path in ("/", "/portal/online_procedures"):
        sizes = _cold_load(browser, base_url, path)
        static = {url: size for url, size in sizes.items() if url.startswith(("/static/", "/-/static"))}
        assert static and all(encoding == "gzip" for _, encoding in static.values()), static
        totals[path] = sum(size for size, _ in sizes.values())
    print(json.dumps(totals))  # the figures of docs/performance.md
    # Before the static files were compressed: 50,990 and 1,187,410 bytes (docs/performance.md).
    assert totals["/"] < 40_000 and totals["/portal/online_procedures"] < 600_000, totals
