"""The README is part of the product: its make targets exist and its API examples work on the sample build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts import serve

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


EXAMPLES = [
    url for url in re.findall(r"curl[^\n'\"]*'http://127\.0\.0\.1:8001([^']+)'", README) if "<" not in url
]


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES)
async def test_api_examples_in_the_readme_answer(sample_release, path):
    app = serve.app(sample_release.release)
    response = await app.client.get(path)
    assert response.status_code == 200, response.text[:500]
    if ".json" in path and "_shape=array" in path:
        assert response.json(), path
