"""The ranked search in a real headless Chromium on a 390 px wide phone screen: type, see the results, no sideways
scroll."""

from __future__ import annotations

import pytest

from tests.browser import offline_page, shoot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]
PLACE_DATASETS = {
    "communes",
    "residents_by_commune_sex_age",
    "vneid_registrations_by_commune_month",
    "vneid_activations_by_commune_month",
    "mobile_subscribers_by_carrier_commune",
}


@pytest.fixture(scope="module")
def phone(chromium, sample_url):
    with offline_page(chromium, sample_url, 390, 844, is_mobile=True) as opened:
        yield opened.page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_phone_user_types_a_place_and_sees_its_datasets_ranked_first(phone):
    phone.goto("/search")
    assert phone.locator("ol.search-results li").count() >= 13  # an empty search lists every dataset
    phone.get_by_label("Từ khóa (có thể gõ không dấu)").fill("ha long")
    phone.get_by_label("Từ khóa (có thể gõ không dấu)").press("Enter")
    phone.wait_for_url("**/search?q=ha+long*")
    links = phone.locator("ol.search-results a.dataset-title")
    first = {links.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in range(len(PLACE_DATASETS))}
    assert first == PLACE_DATASETS
    assert "Phường Hạ Long" in phone.locator("ol.search-results").inner_text()
    assert no_sideways_scroll(phone)
    phone.locator("details.search-facets summary").click()
    phone.get_by_label("Dân cư và hộ tịch (1)").check()
    phone.get_by_role("button", name="Áp dụng bộ lọc").click()
    phone.wait_for_url("**theme=dan-cu*")
    assert links.count() == 1 and "Dân số theo xã" in links.first.inner_text()
    assert no_sideways_scroll(phone)
    shoot(phone, "06-search-phone")
