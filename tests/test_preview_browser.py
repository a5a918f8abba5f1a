"""A real headless Chromium at 360 px on a dataset page with long texts: the preview of the first rows scrolls
inside its own focusable region, which never reaches past the screen's edge."""

from __future__ import annotations

import pytest

from tests.browser import offline_page

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


def test_the_preview_scrolls_in_its_own_region_at_360_px(chromium, sample_url):
    with offline_page(chromium, sample_url, 360, 740) as opened:
        page = opened.page
        for lang in ("vi", "en"):
            page.goto(f"/datasets/project06_tasks?lang={lang}")
            region = page.get_by_role(
                "region", name="Xem trước các dòng đầu tiên" if lang == "vi" else "Preview of the first rows"
            )
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
            # waited for from here: playwright's wait_for_function evaluates its text, which the pages' policy forbids
            for _ in range(50):
                if page.evaluate("document.activeElement.scrollLeft") > 0:
                    break
                page.wait_for_timeout(100)
            assert page.evaluate("document.activeElement.scrollLeft") > 0
            header = region.locator("thead th abbr").first
            assert header.get_attribute("title") == "task_code"
