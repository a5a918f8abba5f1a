"""A real headless Chromium on the served sample build: home, search, dataset page, facet, language switch."""

from __future__ import annotations

import pytest

from tests.browser import offline_page, shoot

# Debian's chromium (the `chromium` fixture): skipped when it is missing, a failure under CI (.ci/run installs it).
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


@pytest.fixture(scope="module")
def page(chromium, sample_url):
    with offline_page(chromium, sample_url) as opened:
        yield opened.page


def test_a_visitor_searches_opens_a_dataset_applies_a_facet_and_switches_language(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Tiến độ Đề án 06" in page.locator("#progress-heading").inner_text()
    shoot(page, "01-home")

    page.get_by_label("Tìm trong tất cả tập dữ liệu").fill("dich vu cong")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url("**/search?q=*")
    shoot(page, "02-search")
    page.locator("a.dataset-title", has_text="Thủ tục hành chính").first.click()
    page.wait_for_url("**/datasets/online_procedures")
    assert page.locator("table.data-dictionary tbody tr").count() > 3
    shoot(page, "03-dataset")

    page.locator("a.browse").click()
    page.wait_for_url("**/portal/online_procedures")
    facet = page.locator(".facet-results .facet-info li a").first
    value = facet.inner_text()
    facet.click()
    page.wait_for_load_state()
    assert "=" in page.url and page.locator("table.rows-and-columns tbody tr").count() >= 1, value
    shoot(page, "04-facet")

    page.locator("a.lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"  # remembered by the cookie
    assert "Project 06 progress" in page.locator("#progress-heading").inner_text()
    shoot(page, "05-home-en")
    page.goto("/?lang=vi")
