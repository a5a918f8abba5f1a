"""A real headless Chromium at 360 px on a dataset page with long texts: the preview of the first rows scrolls
inside its own focusable region, which never reaches past the screen's edge."""

from __future__ import annotations

import pytest

from scripts.serve import command as serve
from scripts.serve.loopback import serving
from tests.test_browser import ARGS

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


@pytest.fixture(scope="module")
def base_url(sample_release):
    with serving(lambda port: serve.command(sample_release.release, port=port), probe="/robots.txt") as url:
        yield url


def test_the_preview_scrolls_in_its_own_region_at_360_px(chromium, base_url):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                      else route.abort())
        page = context.new_page()
        for lang in ("vi", "en"):
            page.goto(f"/datasets/project06_tasks?lang={lang}")
            region = page.get_by_role("region", name="Xem trước các dòng đầu tiên" if lang == "vi"
                                      else "Preview of the first rows")
            assert region.locator("tbody tr").count() == 10
            widths = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert widths[0] > widths[1]  # the table is wider than the phone: it scrolls in its region
            # nothing of the preview makes the page wider than the phone
            assert region.evaluate("e => e.getBoundingClientRect().right") <= 360
            assert page.evaluate("""[...document.querySelectorAll('.table-preview, .table-preview ~ p')]
                .every(e => e.getBoundingClientRect().right <= 360)""")
            region.focus()
            assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
            outline = region.evaluate("e => getComputedStyle(e).outlineStyle")
            assert outline != "none"  # focus is visible
            page.keyboard.press("ArrowRight")
            page.wait_for_function("document.activeElement.scrollLeft > 0")
            header = region.locator("thead th abbr").first
            assert header.get_attribute("title") == "task_code"
        browser.close()
