"""The map by commune in a real headless Chromium at 360 px: no sideways scroll, a mark reached by keyboard names its
commune, nothing fetched from anywhere but the portal."""

from __future__ import annotations

import pytest

from tests.browser import offline_page, shoot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]
TABS = 300  # enough to pass every link above the map on a dataset page


@pytest.fixture(scope="module")
def phone(chromium, sample_url):
    with offline_page(chromium, sample_url, 360, 780) as opened:
        yield opened.page, opened.elsewhere


def test_the_map_fits_a_phone_and_a_keyboard_reaches_a_named_mark(phone):
    page, elsewhere = phone
    page.goto("/datasets/residents_by_commune_sex_age")
    svg = page.locator('.commune-map svg[role="img"]')
    assert svg.get_attribute("aria-label").startswith("Bản đồ ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = svg.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    first = page.locator(".commune-map .mark").first
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.commune-map .mark')"):
            break
    else:
        pytest.fail(f"no mark of the map was reached in {TABS} presses of Tab")
    focused = page.locator(".commune-map .mark:focus")
    name = focused.get_attribute("aria-label")
    assert focused.get_attribute("aria-label") == first.get_attribute("aria-label")  # the first mark, in order
    label = focused.locator(".mark-label")
    assert label.is_visible() and label.text_content() == name
    # Its text at least 12 px on the screen, though the drawing is scaled down to the phone's width.
    assert label.bounding_box()["height"] >= 12
    assert not page.locator(".commune-map .mark:not(:focus) .mark-label").first.is_visible()
    shoot(page, "10-commune-map-360")
    assert elsewhere == []
