"""The declared charts in a real headless Chromium on a 360 px phone: no sideways scroll, every chart visible, its
labels at least 12 px as drawn, no chart script."""

from __future__ import annotations

import pytest

from tests.browser import offline_page, shoot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]
PAGES = [
    "/datasets/residents_by_commune_sex_age",
    "/datasets/vneid_registrations_by_commune_month",
    "/datasets/civil_status_by_commune_month",
    "/datasets/deaths_by_age_band",
    "/datasets/mobile_subscribers_by_carrier_commune",
    "/datasets/online_applications_by_channel_quarter",
    "/datasets/online_applications_by_procedure_year?lang=en",
    "/?lang=vi",
    "/?lang=en",
]
# The smallest label of each chart as the phone draws it: its font-size times the SVG's scale on screen.
SMALLEST_LABEL = """() => [...document.querySelectorAll('svg.declared-chart')].map(svg => {
    const box = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
    return {left: box.left, right: box.right, width: box.width, smallest: Math.min(...sizes)};
})"""


@pytest.fixture(scope="module")
def phone(chromium, sample_url):
    with offline_page(chromium, sample_url, 360, 740) as opened:
        yield opened.page


@pytest.mark.parametrize("path", PAGES)
def test_a_phone_shows_the_charts_without_sideways_scroll(phone, path):
    phone.goto(path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    charts = phone.evaluate(SMALLEST_LABEL)
    if path.startswith("/datasets/"):
        assert charts, path
    for chart in charts:
        assert 0 <= chart["left"] and chart["right"] <= 360 and chart["width"] > 250, (path, chart)
        assert chart["smallest"] >= 12, (path, chart)
    for index in range(len(charts)):
        assert phone.locator("svg.declared-chart").nth(index).is_visible()
    scripts = phone.evaluate("[...document.scripts].map(s => s.src)")
    assert not [src for src in scripts if "vega" in src], scripts
    if charts:
        phone.locator("details.chart-data summary").first.click()  # the table behind the chart opens in place
        assert phone.locator("details.chart-data table").first.is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    shoot(phone, "phone-" + path.strip("/").replace("/", "-").replace("?", "-") or "home")
