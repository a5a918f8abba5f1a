"""A real headless Chromium on the served sample build: home, search, dataset page, facet, language switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.serve import command as serve
from scripts.serve.loopback import serving

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# Debian's chromium (the `chromium` fixture): skipped when it is missing, a failure under CI (.ci/run installs it).
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("chromium")]


@pytest.fixture(scope="module")
def base_url(sample_release):
    with serving(lambda port: serve.command(sample_release.release, port=port), probe="/robots.txt") as url:
        yield url


@pytest.fixture(scope="module")
def page(chromium, base_url):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        # The map tiles and any other third-party request would need the network; tests never do.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                      else route.abort())
        yield context.new_page()
        browser.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


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
