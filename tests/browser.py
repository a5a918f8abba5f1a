"""What the browser tests share: Debian's chromium driven by playwright, kept off the network, on the served sample.

Each test module opens its own browser (`offline_page`, module-scoped in the module) because playwright's sync API
runs an event loop of its own, which must not outlive the module into the asyncio tests; the served sample is one
process for the whole session (`sample_url` in conftest.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Offline:
    """A page of a browser that reaches only the portal; what else a page asked for is in `elsewhere`."""

    page: object
    elsewhere: list[str] = field(default_factory=list)


@contextmanager
def offline_browser(chromium: Path):
    """Debian's chromium, launched by playwright for the duration of the block."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(
    browser, base_url: str, width: int = 1280, height: int = 900, elsewhere: list | None = None, **options
):
    """A browser context at `width` x `height` whose requests to anywhere but `base_url` are refused (the map's tiles
    and any third-party request would need the network, which tests never have) and listed in `elsewhere`."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, **options)

    def route(route):
        if route.request.url.startswith(base_url):
            return route.continue_()
        if elsewhere is not None:
            elsewhere.append(route.request.url)
        return route.abort()

    context.route("**/*", route)
    return context


@contextmanager
def offline_page(chromium: Path, base_url: str, width: int = 1280, height: int = 900, **options):
    """A new page of its own browser, kept off the network as offline_context says."""
    with offline_browser(chromium) as browser:
        opened = Offline(None)
        opened.page = offline_context(browser, base_url, width, height, opened.elsewhere, **options).new_page()
        yield opened


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
