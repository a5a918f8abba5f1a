"""A real Chromium at 390 px on Datasette's table page, in Vietnamese: no sideways scroll of the page, labels for
headers, the rows in a focusable region that scrolls by itself when wider than the screen."""

from __future__ import annotations

import pytest

from scripts.serve import command as serve
from scripts.serve.loopback import serving
from tests.test_browser import ARGS, shoot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


@pytest.fixture(scope="module")
def base_url(sample_release):
    with serving(lambda port: serve.command(sample_release.release, port=port), probe="/robots.txt") as url:
        yield url


def test_a_wide_table_on_a_390_px_phone_in_vietnamese(chromium, base_url):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                          else route.abort())
            page = context.new_page()
            page.goto("/portal/online_procedures?_facet=field")
            assert page.locator("html").get_attribute("lang") == "vi"
            page_width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert page_width[0] <= page_width[1] == 390, page_width  # the page itself never scrolls sideways
            region = page.get_by_role("region", name="Các dòng của bảng, cuộn ngang")
            assert region.get_attribute("tabindex") == "0"
            region.focus()
            assert page.evaluate("document.activeElement.classList.contains('table-wrapper')")
            wrapper = region.evaluate("w => [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]")
            assert wrapper[2] == "auto" and wrapper[1] <= 390
            assert page.get_by_role("button", name="Áp dụng").is_visible()
            assert "Apply" not in page.locator("body").inner_text()
            shoot(page, "10-table-390-vi")

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto("/portal/online_procedures")
            wide = page.locator(".table-wrapper").evaluate("w => [w.scrollWidth, w.clientWidth]")
            header = page.locator("th[data-column='procedure_name']")
            assert header.get_attribute("title") == "procedure_name" and header.inner_text().strip() != "procedure_name"
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280 or wide[0] > wide[1]
        finally:
            browser.close()
