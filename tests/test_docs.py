"""The README is part of the product: its make targets exist and its API examples work on the sample build."""

from __future__ import annotations

import html
import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from scripts.serve import command as serve
from scripts.serve.loopback import serving
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_every_documented_make_target_exists_and_every_target_is_documented():
    documented = set(re.findall(r"`make ([a-z-]+)", README))
    defined = set(re.findall(r"^([a-z-]+):.*##", MAKEFILE, flags=re.M))
    assert documented <= defined, documented - defined
    assert defined <= documented, defined - documented


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


DOCS = sorted((ROOT / "docs").glob("*.md"))
EXAMPLES = [
    url
    for text in [README, *(path.read_text(encoding="utf-8") for path in DOCS)]
    for url in re.findall(r"curl[^\n'\"]*'http://127\.0\.0\.1:8001([^']+)'", text)
    if "<" not in url
]


def test_the_readme_stays_short_and_sends_the_rest_to_docs():
    assert len(README.splitlines()) <= 200
    assert "docs/api.md" in README and "docs/architecture.md" in README


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda path: path.name)
def test_every_relative_link_of_the_documentation_resolves(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        path = target.split("#")[0]
        if path and not re.match(r"[a-z]+:", path) and not (page.parent / path).exists():
            broken.append(target)
    assert not broken, broken


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES)
async def test_api_examples_in_the_readme_answer(sample_release, path):
    app = serve.app(sample_release.release)
    response = await app.client.get(path)
    assert response.status_code == 200, response.text[:500]
    if ".json" in path and "_shape=array" in path:
        assert response.json(), path


CURL_INSTALL = "apt-get install -y curl (Debian's package, as root)"


def api_page_examples(page: str) -> list[str]:
    """The addresses of the /api page's curl examples, placeholders (<next>) left out."""
    return [url for url in re.findall(r"curl[^\n']*'([^']+)'", html.unescape(page)) if "<" not in url]


@pytest.fixture(scope="module")
def served_sample(sample_release):
    """The sample build served by `make serve`'s command on a free port: one process for every example."""
    with serving(lambda port: serve.command(sample_release.release, port=port)) as base:
        yield base


@pytest.mark.slow
def test_every_curl_example_works_as_written_with_the_real_curl(served_sample, tmp_path):
    """curl sends an address as written: one with unencoded Vietnamese is refused (400) before the portal sees it."""
    curl = require_tool("curl", CURL_INSTALL)
    with urllib.request.urlopen(f"{served_sample}/api", timeout=30) as response:
        from_api_page = api_page_examples(response.read().decode("utf-8"))
    assert len(from_api_page) >= 10 and all(url.startswith(served_sample) for url in from_api_page)
    urls = [served_sample + path for path in EXAMPLES] + from_api_page
    body = tmp_path / "body"
    wrong = []
    for url in urls:
        run = subprocess.run(
            [str(curl), "--silent", "--show-error", "--output", str(body), "--write-out", "%{http_code}", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.stdout != "200":
            wrong.append(f"{url}: {run.stdout} {run.stderr.strip()} {body.read_bytes()[:200]!r}")
        elif ".json" in url.split("?")[0]:
            try:
                json.loads(body.read_bytes())
            except ValueError as error:
                wrong.append(f"{url}: not JSON ({error})")
    assert not wrong, "\n".join(wrong)
