"""The README is part of the product: its make targets exist and its API examples work on the sample build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.serve import command as serve

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
    url for text in [README, *(path.read_text(encoding="utf-8") for path in DOCS)]
    for url in re.findall(r"curl[^\n'\"]*'http://127\.0\.0\.1:8001([^']+)'", text) if "<" not in url
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
