"""A real Chromium at 390 px on Datasette's table page, in Vietnamese: no sideways scroll of the page, labels for
headers, the rows in a focusable region that scrolls by itself when wider than the screen."""

from __future__ import annotations

import pytest

from tests.browser import offline_page, shoot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


def test_a_wide_table_on_a_390_px_phone_in_vietnamese(chromium, sample_url):
    with offline_page(chromium, sample_url, 390, 844) as opened:
        page = opened.page
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
        # the buttons Datasette's table.js adds to the filter rows are named in the page's language too
        page.goto("/portal/online_procedures?field=T%C6%B0+ph%C3%A1p")
        names = page.locator(".filter-row > a").evaluate_all(
            "buttons => buttons.map(b => b.getAttribute('aria-label'))"
        )
        assert names and set(names) == {"Bỏ bộ lọc này"}, names
        page.goto("/portal/online_procedures?_facet=field")
        shoot(page, "10-table-390-vi")

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/portal/online_procedures")
        wide = page.locator(".table-wrapper").evaluate("w => [w.scrollWidth, w.clientWidth]")
        header = page.locator("th[data-column='procedure_name']")
        assert header.get_attribute("title") == "procedure_name" and header.inner_text().strip() != "procedure_name"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280 or wide[0] > wide[1]
